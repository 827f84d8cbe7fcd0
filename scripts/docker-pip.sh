#!/bin/sh
# pip inside `docker build` (the Dockerfile copies this to /usr/local/bin/docker-pip),
# with the build's optional secrets, each mounted under /run/secrets only for one RUN:
#   pip_ca    an extra CA bundle (PEM), trusted besides pip's own (certifi's): the way to
#             build behind a TLS-intercepting proxy
#   pip_conf  a pip configuration file (index-url, extra-index-url, trusted-host...):
#             install from the index your own pip uses instead of PyPI
# Without either it is plain `pip "$@"` against PyPI.
set -eu

if [ -f /run/secrets/pip_conf ]; then
  export PIP_CONFIG_FILE=/run/secrets/pip_conf
fi
if [ -f /run/secrets/pip_ca ]; then
  bundle=$(mktemp)
  trap 'rm -f "$bundle"' EXIT
  cat "$(python -m pip._vendor.certifi)" /run/secrets/pip_ca >"$bundle"
  export PIP_CERT="$bundle"
fi
pip "$@"
