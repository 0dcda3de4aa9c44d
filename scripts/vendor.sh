#!/bin/sh
# Vendor pinned front-end files into static/vendor (no build step). Run by hand when a pin changes;
# the files are committed, so installs and CI need no npm.
set -eu
cd "$(dirname "$0")/.."
DEST=static/vendor; mkdir -p "$DEST"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
( cd "$TMP" && npm pack --silent htmx.org@2.0.11 htmx-ext-sse@2.2.4 drawflow@0.0.60 >/dev/null )
x() { tar -xzf "$TMP/$1" -O "package/$2" > "$DEST/$3"; }
x htmx.org-2.0.11.tgz      dist/htmx.min.js            htmx-2.0.11.min.js
x htmx-ext-sse-2.2.4.tgz   dist/sse.js                 htmx-ext-sse-2.2.4.js
x drawflow-0.0.60.tgz      dist/drawflow.min.js        drawflow-0.0.60.min.js
x drawflow-0.0.60.tgz      dist/drawflow.min.css       drawflow-0.0.60.min.css
( cd "$DEST" && sha256sum *.js *.css > SHA256SUMS )
