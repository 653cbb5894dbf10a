#!/usr/bin/env node
// The CDK app (cdk.json runs it): `npx cdk synth|deploy|destroy -c name=value ...`, see docs/aws.md.
'use strict';

const { buildApp } = require('../lib/app');

buildApp().app.synth();
