// Shared by the JavaScript client tests that use it (esm_zip_js_sdk_test.cjs,
// lambda_zip_js_sdk_test.cjs): the configuration every AWS SDK v3 client gets to talk to
// esser-local (ESSER_ENDPOINT, dummy credentials, no retries).
"use strict";
exports.clientConfig = {
  endpoint: process.env.ESSER_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  maxAttempts: 1,
};
