"""esser-local's runtime shim for python3.x zip functions (issue 13).

esser-local starts it as `python3 -u bootstrap.py` in the function's package directory
(LAMBDA_TASK_ROOT) and it speaks the Lambda Runtime API 2018-06-01 at AWS_LAMBDA_RUNTIME_API,
as AWS's own Python runtime does (spec/streams-and-lambda.md section 5.2):

- init: imports the module of _HANDLER ("module.function", "dir/module.function" or
  "package.module.function") with LAMBDA_TASK_ROOT first on sys.path; a failure is posted to
  /runtime/init/error with AWS's error types (Runtime.MalformedHandlerName,
  Runtime.ImportModuleError, Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound);
- each invocation: GET /next, call handler(event, context), POST the JSON result to
  /response; an exception becomes {"errorMessage", "errorType", "requestId", "stackTrace"}
  posted to /error (and "[ERROR] type: message" plus the traceback in the log, like AWS);
  a result json.dumps cannot encode is Runtime.MarshalError.

The context object has AWS's attributes: aws_request_id, function_name, function_version,
invoked_function_arn, memory_limit_in_mb, log_group_name, log_stream_name, identity,
client_context and get_remaining_time_in_millis().

Standard library only; one keep-alive HTTP connection to the Runtime API.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
_BASE = "/2018-06-01/runtime"


class _RuntimeApi:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._host = host
        self._port = int(port)
        self._conn = None

    def request(self, method, path, body=None, headers=None):
        # One retry on a fresh connection: the server may close an idle keep-alive connection.
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port)
            try:
                self._conn.request(method, path, body=body, headers=headers or {})
                resp = self._conn.getresponse()
                data = resp.read()
                return resp.status, resp.headers, data
            except (http.client.HTTPException, OSError):
                self._conn.close()
                self._conn = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


class _ClientContext:
    def __init__(self, raw):
        self.client = raw.get("client")
        self.custom = raw.get("custom")
        self.env = raw.get("env")


class LambdaContext:
    """The context argument of a handler, with the attributes AWS's Python runtime gives."""

    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"function_name={self.function_name},"
            f"invoked_function_arn={self.invoked_function_arn}])"
        )


def _error(error_type, message, tb=None, request_id=None):
    err = {"errorMessage": message, "errorType": error_type}
    if request_id is not None:
        err["requestId"] = request_id
    err["stackTrace"] = traceback.format_list(traceback.extract_tb(tb)) if tb else []
    return err


def _user_frames(tb):
    # Drop this shim's own frames so the trace starts in user code, as on AWS.
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return tb


def _log_error(err):
    lines = [f"[ERROR] {err['errorType']}: {err['errorMessage']}"]
    if err["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(s.rstrip("\n") for s in err["stackTrace"])
    sys.stdout.write("\n".join(lines) + "\n")


def _load_handler(spec):
    """The handler function, or an error object for /init/error."""
    modname, dot, fname = spec.rpartition(".")
    if not dot or not modname or not fname:
        return None, _error(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)",
        )
    modname = modname.replace("/", ".")
    try:
        module = importlib.import_module(modname)
    except ImportError as e:
        return None, _error(
            "Runtime.ImportModuleError", f"Unable to import module '{modname}': {e}"
        )
    except SyntaxError as e:
        return None, _error(
            "Runtime.UserCodeSyntaxError",
            f"Syntax error in module '{modname}': {e}",
            _user_frames(e.__traceback__),
        )
    except Exception as e:  # an error raised by the module's top-level code
        return None, _error(
            type(e).__name__, str(e), _user_frames(e.__traceback__)
        )
    handler = getattr(module, fname, None)
    if handler is None or not callable(handler):
        return None, _error(
            "Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'"
        )
    return handler, None


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def _setup_logging():
    # AWS's Python runtime: root logger at WARNING by default, with request-id-stamped lines.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def main():
    api = _RuntimeApi(_API)
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    # The shim's own directory is not the user's: a package module named "bootstrap" wins.
    shim_dir = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == shim_dir:
        sys.path.pop(0)
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    _setup_logging()

    handler, err = _load_handler(os.environ.get("_HANDLER", ""))
    if err is not None:
        _log_error(err)
        api.request(
            "POST",
            f"{_BASE}/init/error",
            json.dumps(err),
            {"Lambda-Runtime-Function-Error-Type": err["errorType"]},
        )
        sys.exit(1)

    while True:
        status, headers, body = api.request("GET", f"{_BASE}/invocation/next")
        if status != 200:
            sys.exit(f"runtime API /next answered {status}")
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms", "0") or 0)
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        client_context = None
        raw_context = headers.get("Lambda-Runtime-Client-Context")
        if raw_context:
            try:
                client_context = _ClientContext(json.loads(raw_context))
            except ValueError:
                client_context = None
        context = LambdaContext(
            request_id,
            deadline_ms,
            headers.get("Lambda-Runtime-Invoked-Function-Arn", ""),
            client_context,
        )
        _RequestIdFilter.request_id = request_id
        path = f"{_BASE}/invocation/{request_id}"
        try:
            event = json.loads(body) if body else {}
            result = handler(event, context)
        except Exception as e:
            err = _error(
                type(e).__name__, str(e), _user_frames(e.__traceback__), request_id
            )
            _log_error(err)
            api.request(
                "POST",
                f"{path}/error",
                json.dumps(err),
                {"Lambda-Runtime-Function-Error-Type": "Unhandled"},
            )
            continue
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as e:
            err = _error(
                "Runtime.MarshalError", f"Unable to marshal response: {e}", None, request_id
            )
            _log_error(err)
            api.request(
                "POST",
                f"{path}/error",
                json.dumps(err),
                {"Lambda-Runtime-Function-Error-Type": "Runtime.MarshalError"},
            )
            continue
        api.request("POST", f"{path}/response", payload)


if __name__ == "__main__":
    main()
