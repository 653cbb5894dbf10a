// Checks every object of every manifest under k8s/ against the published Kubernetes and KEDA
// schemas (kubernetes-models), so that a misspelt or mistyped field fails the build rather than
// `kubectl apply`. Kustomization files are kustomize's own and are skipped.
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const core = require('kubernetes-models/v1');
const apps = require('kubernetes-models/apps/v1');
const policy = require('kubernetes-models/policy/v1');
const keda = require('@kubernetes-models/keda/keda.sh/v1alpha1');

const models = { ...core, ...apps, ...policy, ...keda };
const root = path.resolve(__dirname, '..');

function manifests(directory) {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'validate' ? [] : manifests(file);
    }
    return entry.name.endsWith('.yaml') && entry.name !== 'kustomization.yaml' ? [file] : [];
  });
}

let failures = 0;
let checked = 0;
for (const file of manifests(root)) {
  for (const object of yaml.loadAll(fs.readFileSync(file, 'utf8'))) {
    if (!object) continue;
    const Model = models[object.kind];
    const where = `${path.relative(root, file)}: ${object.kind} ${object.metadata && object.metadata.name}`;
    if (!Model) {
      console.error(`${where}: no schema for this kind`);
      failures++;
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (error) {
      console.error(`${where}: ${error.message}`);
      failures++;
    }
  }
}
console.log(`k8s: ${checked} objects match their schemas, ${failures} do not`);
process.exit(failures === 0 ? 0 : 1);
