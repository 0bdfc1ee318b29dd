#!/usr/bin/env node
import { createAgentApp } from './stack/create-app.js';

// `cdk synth` / `cdk deploy` entry (cdk.json "app"); context: stage, retentionDays, recordingMode, disposable, …
createAgentApp();
