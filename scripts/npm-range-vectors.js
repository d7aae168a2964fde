#!/usr/bin/env node
// Writes the npm range vectors NpmRangeVectorsTest checks NpmRange against: every range below
// against every version below, answered by npm's own semver package (the copy inside the npm
// client) with includePrerelease, the reading Airlock's deny rules and advisories use.
//   node scripts/npm-range-vectors.js > policy/src/test/resources/dev/airlock/policy/version/npm-range-vectors.tsv
'use strict';
const { execSync } = require('child_process');
const path = require('path');
const dir = path.join(execSync('npm root -g').toString().trim(), 'npm', 'node_modules', 'semver');
const semver = require(dir);
const version = require(path.join(dir, 'package.json')).version;

const ranges = ['^1.2.3', '^0.2.3', '^0.0.3', '^0.0', '^0', '^1.2.3-beta.2', '~1.2.3', '~1.2', '~1', '~0.2.3',
  '~1.2.3-rc.1', '~>1.2', '>=1.0.0 <2.0.0', '>= 1.0.0 < 2', '1.2.x', '1.x', '1.X', '1.*', 'x', 'X', '>1.2',
  '>=1.2', '<1.2', '<=1.2', '>1', '<=1', '<2', '1.2.3 - 2.3', '1.2.3 - 2.3.4', '1.2 - 2', '1.2.3-rc.1 - 2.0.0',
  '1.x || >=3.1', '=1.0.0', 'v1.0.0', '1.0.0', '1.0.0-beta.2', '>=1.0.0-alpha.1', '>1.0.0-alpha.10', '<1.0.0',
  '^1.2.3 || ^2.0.0-rc.1', '<=1.2.3-rc.2', '>1.2.3-rc.2', '1.2.3-rc.1', '=v1.2.3', '>=1.2.3 <1.2.3', '^0.0.0',
  '~0', '<0.0.1', '> 1.2.3', '~ 1.2.3', '^ 1.2.3', '1.2.3+build', '^1.2.3+build', '>=1.2.3+build <2',
  '1 || 2 || 3', '>*', '<*', '>=*', '1.2.3 || *', '1.2.3+build - 2'];
const versions = ['0.0.0', '0.0.1', '0.0.3', '0.0.4', '0.1.0', '0.2.3', '0.2.9', '0.3.0', '1.0.0', '1.0.0-alpha',
  '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-alpha.9', '1.0.0-alpha.10', '1.0.0-beta.2', '1.0.0-rc.1', '1.0.1',
  '1.2.0', '1.2.2', '1.2.3', '1.2.3-rc.1', '1.2.3-rc.2', '1.2.3-rc.3', '1.2.3+build', '1.2.4-0', '1.2.9', '1.3.0',
  '1.3.0-0', '1.3.0-rc.1', '1.9.0', '1.9.0-rc.1', '1.9.9', '2.0.0', '2.0.0-0', '2.0.0-beta.1', '2.0.0-rc.1',
  '2.3.4', '2.3.5', '2.3.9', '2.4.0', '2.4.0-rc.1', '2.5.0', '3.0.0', '3.1.0', '3.1.0-rc.1', '10.0.0', 'v1.2.3',
  '=1.2.3', 'not-a-version', '2147483648.0.0', '9999999999.1.2', '1.2.3-9999999999'];

console.log(`# range\tversion\tsatisfies (npm semver ${version}, includePrerelease)`);
for (const r of ranges) {
  for (const v of versions) {
    console.log([r, v, semver.satisfies(v, r, { includePrerelease: true })].join('\t'));
  }
}
