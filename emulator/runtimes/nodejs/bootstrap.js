'use strict';
// esser-local's runtime shim for nodejs*.x zip functions (issue 13).
//
// esser-local starts it as `node bootstrap.js` in the function's package directory
// (LAMBDA_TASK_ROOT); it speaks the Lambda Runtime API 2018-06-01 at AWS_LAMBDA_RUNTIME_API as
// AWS's Node.js runtime does (spec/streams-and-lambda.md section 5.2):
//  - init: loads the module of _HANDLER ("file.export" or "dir/file.export"; file.js, .cjs or
//    .mjs, CommonJS or ES module); a failure goes to /runtime/init/error with AWS's types
//    (Runtime.MalformedHandlerName, Runtime.ImportModuleError, Runtime.UserCodeSyntaxError,
//    Runtime.HandlerNotFound);
//  - each invocation: GET /next, call the handler, POST the JSON result to /response. Async
//    handlers (returning a promise) and callback handlers (three parameters: event, context,
//    callback) are both supported; context.succeed/fail/done too.
//  - errors are posted as AWS's Node runtime shapes them: {"errorType", "errorMessage",
//    "trace": [stack lines]}; a result JSON.stringify cannot encode is Runtime.MarshalError.
//  - console.log/info/warn/error/debug lines carry "<ISO time>\t<request id>\t<LEVEL>\t", as on
//    AWS.
// Node's standard library only.

const http = require('http');
const path = require('path');
const fs = require('fs');
const util = require('util');
const { pathToFileURL } = require('url');

const [apiHost, apiPort] = (() => {
  const api = process.env.AWS_LAMBDA_RUNTIME_API;
  const i = api.lastIndexOf(':');
  return [api.slice(0, i), Number(api.slice(i + 1))];
})();
const base = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, urlPath, body, headers) {
  const data = body === undefined ? undefined : Buffer.from(body, 'utf8');
  const allHeaders = Object.assign({}, headers || {});
  if (data !== undefined) allHeaders['Content-Length'] = data.length;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: apiHost, port: apiPort, method, path: urlPath, agent, headers: allHeaders },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

let currentRequestId = '';
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG',
                   trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t` +
                   util.format(...args);
      process.stdout.write(line.replace(/\n/g, '\r') + '\n');
    };
  }
}

function errorObject(err, fallbackType) {
  if (err instanceof Error) {
    return {
      errorType: err.name || fallbackType,
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  // Non-Error values (callback('boom'), throw 42) become their string, as AWS's runtime does.
  let message;
  try {
    message = typeof err === 'string' ? err : JSON.stringify(err);
  } catch (e) {
    message = String(err);
  }
  return { errorType: fallbackType, errorMessage: message, trace: [] };
}

function typed(type, message, cause) {
  const e = new Error(message);
  e.name = type;
  if (cause && typeof cause.stack === 'string') e.stack = `${type}: ${message}\n${cause.stack}`;
  return e;
}

async function loadHandler(spec, taskRoot) {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0 || dot === spec.length - 1)
    throw typed('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  const modulePart = spec.slice(0, dot);
  const exportPath = spec.slice(dot + 1);
  const stem = path.resolve(taskRoot, modulePart);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => stem + ext).find((f) => fs.existsSync(f));
  if (!file) {
    throw typed('Runtime.ImportModuleError',
                `Error: Cannot find module '${modulePart}'\nRequire stack:\n- ${__filename}`);
  }
  let mod;
  try {
    if (file.endsWith('.mjs')) {
      mod = await import(pathToFileURL(file).href);
    } else {
      try {
        mod = require(file);
      } catch (e) {
        if (e && e.code === 'ERR_REQUIRE_ESM') mod = await import(pathToFileURL(file).href);
        else throw e;
      }
    }
  } catch (e) {
    if (e instanceof SyntaxError)
      throw typed('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    if (e && e.code === 'MODULE_NOT_FOUND')
      throw typed('Runtime.ImportModuleError', `Error: ${e.message}`, e);
    throw e;
  }
  let handler = mod;
  for (const part of exportPath.split('.')) handler = handler == null ? undefined : handler[part];
  if (handler === undefined && mod && mod.default) handler = mod.default[exportPath];
  if (typeof handler !== 'function')
    throw typed('Runtime.HandlerNotFound', `${path.basename(modulePart)}.${exportPath} is ` +
                'undefined or not exported');
  return handler;
}

function makeContext(headers, finish) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const context = {
    awsRequestId: headers['lambda-runtime-aws-request-id'] || '',
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'] || '',
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    succeed: (result) => finish(null, result),
    fail: (err) => finish(err == null ? '' : err),
    done: (err, result) => finish(err, result),
  };
  const clientContext = headers['lambda-runtime-client-context'];
  if (clientContext) {
    try {
      context.clientContext = JSON.parse(clientContext);
    } catch (e) {
      context.clientContext = undefined;
    }
  }
  return context;
}

// Runs one invocation; resolves to {result} or {error}.
function invokeHandler(handler, event, headers) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) resolve({ error: err });
      else resolve({ result });
    };
    const context = makeContext(headers, finish);
    try {
      const out = handler.length >= 3 ? handler(event, context, finish) : handler(event, context);
      if (out && typeof out.then === 'function') {
        out.then((r) => finish(null, r), (e) => finish(e === undefined ? 'undefined' : e));
      } else if (handler.length < 3) {
        finish(null, out);
      }
    } catch (e) {
      finish(e === undefined ? 'undefined' : e);
    }
  });
}

async function main() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || '', taskRoot);
  } catch (e) {
    const err = errorObject(e, 'Runtime.ImportModuleError');
    console.error(`${err.errorType}: ${err.errorMessage}`);
    await request('POST', `${base}/init/error`, JSON.stringify(err),
                  { 'Lambda-Runtime-Function-Error-Type': err.errorType });
    process.exit(1);
  }
  for (;;) {
    const next = await request('GET', `${base}/invocation/next`);
    if (next.status !== 200) throw new Error(`runtime API /next answered ${next.status}`);
    const id = next.headers['lambda-runtime-aws-request-id'] || '';
    currentRequestId = id;
    if (next.headers['lambda-runtime-trace-id'])
      process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    let outcome;
    try {
      event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
      outcome = await invokeHandler(handler, event, next.headers);
    } catch (e) {
      outcome = { error: e };
    }
    const target = `${base}/invocation/${id}`;
    if (!('error' in outcome)) {
      let payload;
      try {
        payload = JSON.stringify(outcome.result === undefined ? null : outcome.result) ?? 'null';
      } catch (e) {
        outcome = { error: typed('Runtime.MarshalError', `Unable to stringify response body: ` +
                                 e.message) };
      }
      if (payload !== undefined) {
        await request('POST', `${target}/response`, payload);
        continue;
      }
    }
    const err = errorObject(outcome.error, 'Error');
    console.error(`Invoke Error \t${JSON.stringify(err)}`);
    await request('POST', `${target}/error`, JSON.stringify(err),
                  { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
  }
}

main().catch((e) => {
  process.stderr.write(`esser nodejs runtime: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
