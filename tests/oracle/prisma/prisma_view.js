#!/usr/bin/env node
// Prisma's own view of Prisma schemas, for the differential test of hos-lint's parser.
//
// stdin:  JSON list of schemas, each a list of [file name, file text] pairs (one
//         schema may span several files, like prisma/schema/*.prisma).
// stdout: JSON list, one entry per schema:
//   {"valid": true, "models": [...], "datasources": [...]}
//   {"valid": false, "errors": [{"file", "line", "column", "span", "message"}],
//    "panic": null | "..."}  (line, column and span: where Prisma points)
// A model is {name, dbName, schema, fields: [{name, dbName, kind, type,
// relationFromFields, relationToFields}]}; a datasource is {name, provider,
// urlEnv, url, schemas}. Everything comes from @prisma/prisma-schema-wasm (the
// engine the Prisma CLI runs): validate, get_datamodel and get_config.
'use strict';

const fs = require('fs');
const MODULE = '@prisma/prisma-schema-wasm';

let wasm = require(MODULE);

// A Rust panic inside the module surfaces as a JS exception; load a fresh
// instance afterwards so one schema cannot poison the next.
function reload() {
  for (const key of Object.keys(require.cache)) {
    if (key.includes('prisma-schema-wasm')) delete require.cache[key];
  }
  wasm = require(MODULE);
}

// The error blocks of a P1012 message, coloured so the span Prisma points at
// can be found: "error: <message>", "-->  <file>:<line>", then source lines
// with the span in bold red. Columns count code points, like Python.
const ESC = '\u001b[';
const HIGHLIGHT = ESC + '1;91m';
const stripAnsi = (text) => text.replace(/\u001b\[[0-9;]*m/g, '');

function parseErrors(coloured) {
  const errors = [];
  for (const block of coloured.split(HIGHLIGHT + 'error' + ESC + '0m: ').slice(1)) {
    const lines = block.split('\n');
    const where = /-->\s+(.*):(\d+)$/.exec(stripAnsi(lines[1] || ''));
    const error = {
      file: where ? where[1] : null,
      line: where ? Number(where[2]) : null,
      column: null,
      span: null,
      message: stripAnsi(lines[0]),
    };
    for (const source of lines.slice(2)) {
      const at = source.indexOf(HIGHLIGHT);
      const gutter = /^\u001b\[1;94m\s*(\d+) \| \u001b\[0m/.exec(source);
      if (at < 0 || !gutter) continue;
      const before = stripAnsi(source.slice(gutter[0].length, at));
      const rest = source.slice(at + HIGHLIGHT.length);
      error.line = Number(gutter[1]);
      error.column = Array.from(before).length + 1;
      error.span = stripAnsi(rest.slice(0, rest.indexOf(ESC + '0m') < 0 ? undefined : rest.indexOf(ESC + '0m')));
      break;
    }
    errors.push(error);
  }
  if (errors.length === 0) {
    errors.push({ file: null, line: null, column: null, span: null, message: stripAnsi(coloured).split('\n')[0] });
  }
  return errors;
}

function errorText(e) {
  try {
    return JSON.parse(e.message).message;
  } catch (_) {
    return null;
  }
}

function view(files) {
  const params = JSON.stringify({ prismaSchema: files, noColor: true });
  try {
    wasm.validate(JSON.stringify({ prismaSchema: files, noColor: false }));
  } catch (e) {
    const text = errorText(e);
    if (text === null) {
      reload();
      return { valid: false, errors: [], panic: String(e) };
    }
    return { valid: false, errors: parseErrors(text), panic: null };
  }
  let datamodel;
  let config;
  try {
    datamodel = JSON.parse(wasm.get_datamodel(params));
    config = JSON.parse(wasm.get_config(JSON.stringify({
      prismaSchema: files, datasourceOverrides: {}, ignoreEnvVarErrors: true, env: {},
    })));
  } catch (e) {
    reload();
    return { valid: false, errors: [], panic: String(e) };
  }
  return {
    valid: true,
    models: datamodel.models.map((m) => ({
      name: m.name,
      dbName: m.dbName,
      schema: m.schema,
      fields: m.fields.map((f) => ({
        name: f.name,
        dbName: f.dbName === undefined ? null : f.dbName,
        kind: f.kind,
        type: f.type,
        relationFromFields: f.relationFromFields || [],
        relationToFields: f.relationToFields || [],
      })),
    })),
    datasources: config.config.datasources.map((d) => ({
      name: d.name,
      provider: d.provider,
      urlEnv: d.url ? d.url.fromEnvVar : null,
      url: d.url ? d.url.value : null,
      schemas: d.schemas,
    })),
  };
}

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(input.map(view)));
