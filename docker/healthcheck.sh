#!/usr/bin/env bash
# The image's HEALTHCHECK: exit 0 when esser-local answers GET /esser/v1/health with 2xx within
# two seconds, 1 otherwise (Docker's contract). ESSER_PORT as in the entry point.
set -u
exec curl --silent --show-error --fail --max-time 2 \
  "http://127.0.0.1:${ESSER_PORT:-8000}/esser/v1/health" -o /dev/null
