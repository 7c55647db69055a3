// Issue 13, zip functions with the AWS SDK for JavaScript v3 (@aws-sdk/client-lambda) against
// esser-local (ESSER_ENDPOINT). Run by js_sdk_test.sh with the node_modules directory it
// installed into as argv[2]. Zips a Node handler (async and callback styles), creates it as
// nodejs20.x, invokes it (LogType Tail), and checks the error shape of a throwing handler,
// UpdateFunctionCode, an Event invoke, and a corrupt package refused with the SDK's error.
"use strict";
const path = require("path");
const fs = require("fs");
const os = require("os");
const { execFileSync } = require("child_process");
const { clientConfig } = require("./client_support.cjs");
const modules = process.argv[2];
const L = require(path.join(modules, "@aws-sdk/client-lambda"));

const lambda = new L.LambdaClient(clientConfig);
const role = "arn:aws:iam::000000000000:role/lambda-role";

let failures = 0;
function check(cond, what) {
  if (!cond) {
    failures++;
    console.error("FAIL:", what);
  }
}

// Zips `files` ({name: text}) with Python's zipfile (the machine's; Node 20 has no zip writer).
function zipOf(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "esser-js-zip-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, "src", name)), { recursive: true });
      fs.writeFileSync(path.join(dir, "src", name), text);
    }
    execFileSync("/usr/bin/python3", ["-m", "zipfile", "-c", path.join(dir, "fn.zip"), "."],
                 { cwd: path.join(dir, "src") });
    return fs.readFileSync(path.join(dir, "fn.zip"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const decode = (bytes) => Buffer.from(bytes).toString("utf8");

async function invoke(name, payload, extra = {}) {
  const r = await lambda.send(new L.InvokeCommand({
    FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...extra }));
  return { r, body: r.Payload ? decode(r.Payload) : "" };
}

async function main() {
  const code = zipOf({
    "handlers/index.js": `
      exports.main = async (event, context) => {
        console.log("node saw", JSON.stringify(event));
        return { sum: event.a + event.b, fn: context.functionName,
                 remainingOk: context.getRemainingTimeInMillis() > 0 };
      };
      exports.legacy = (event, context, callback) => callback(null, { legacy: event.a });
      exports.throws = async () => { throw new RangeError("out of range"); };
    `,
  });
  const created = await lambda.send(new L.CreateFunctionCommand({
    FunctionName: "nodefn", Runtime: "nodejs20.x", Role: role, Handler: "handlers/index.main",
    Code: { ZipFile: code }, Timeout: 5 }));
  check(created.Runtime === "nodejs20.x" && created.CodeSize === code.length,
        `CreateFunction answer: ${JSON.stringify(created)}`);

  let { r, body } = await invoke("nodefn", { a: 2, b: 3 }, { LogType: "Tail" });
  check(r.StatusCode === 200 && !r.FunctionError, `invoke: ${r.StatusCode} ${r.FunctionError}`);
  check(body === JSON.stringify({ sum: 5, fn: "nodefn", remainingOk: true }), `result: ${body}`);
  const tail = Buffer.from(r.LogResult, "base64").toString("utf8");
  check(/\tINFO\tnode saw \{"a":2,"b":3\}/.test(tail), `console.log in the tail: ${tail}`);
  check(tail.includes("START RequestId: ") && tail.includes("REPORT RequestId: "),
        "START/REPORT in the tail");

  await lambda.send(new L.UpdateFunctionConfigurationCommand({
    FunctionName: "nodefn", Handler: "handlers/index.legacy" }));
  ({ r, body } = await invoke("nodefn", { a: 9 }));
  check(body === JSON.stringify({ legacy: 9 }), `callback handler: ${body}`);

  await lambda.send(new L.UpdateFunctionConfigurationCommand({
    FunctionName: "nodefn", Handler: "handlers/index.throws" }));
  ({ r, body } = await invoke("nodefn", {}));
  const err = JSON.parse(body);
  check(r.FunctionError === "Unhandled", "a throwing handler is Unhandled");
  check(err.errorType === "RangeError" && err.errorMessage === "out of range" &&
        Array.isArray(err.trace), `error shape: ${body}`);

  await lambda.send(new L.UpdateFunctionCodeCommand({
    FunctionName: "nodefn", ZipFile: zipOf({ "handlers/index.js":
      "exports.throws = async (e) => ({ fixed: true, e });" }) }));
  ({ r, body } = await invoke("nodefn", { z: 1 }));
  check(body === JSON.stringify({ fixed: true, e: { z: 1 } }), `updated code: ${body}`);

  const ev = await lambda.send(new L.InvokeCommand({
    FunctionName: "nodefn", InvocationType: "Event", Payload: Buffer.from("{}") }));
  check(ev.StatusCode === 202, `Event invoke: ${ev.StatusCode}`);

  try {
    await lambda.send(new L.CreateFunctionCommand({
      FunctionName: "broken", Runtime: "nodejs20.x", Role: role, Handler: "index.h",
      Code: { ZipFile: Buffer.from("PK\x05\x06 truncated") } }));
    check(false, "a corrupt zip was accepted");
  } catch (e) {
    check(e.name === "InvalidParameterValueException" && e.$metadata.httpStatusCode === 400,
          `corrupt zip: ${e.name} ${e.message}`);
  }

  await lambda.send(new L.DeleteFunctionCommand({ FunctionName: "nodefn" }));
  try {
    await lambda.send(new L.GetFunctionCommand({ FunctionName: "nodefn" }));
    check(false, "GetFunction after delete succeeded");
  } catch (e) {
    check(e.name === "ResourceNotFoundException", `after delete: ${e.name}`);
  }
}

main().then(() => {
  if (failures) {
    console.error(`lambda_zip_js_sdk_test: ${failures} failure(s)`);
    process.exit(1);
  }
  console.log("lambda_zip_js_sdk_test: all checks passed");
}, (e) => {
  console.error("lambda_zip_js_sdk_test: unexpected error:", e);
  process.exit(1);
});
