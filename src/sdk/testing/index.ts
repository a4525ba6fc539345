// Local testing for integration builders, imported as "portico/sdk/testing": run a flow with
// no server (runFlow), or a config field's options loader (loadOptions), against a scriptable fake of the remote API (fakeRemote).
// Test code only: it runs on Node with the engine's HTTP client, never inside a bundle.
export { runFlow, type RunFlowOptions, type RunFlowResult, type StepRecord, type LogRecord, type TestConnection } from "./run-flow";
export { fakeRemote, type FakeRemote, type FakeRequest, type FakeReply, type FakeRoute } from "./fake-remote";
export { loadOptions, type LoadOptionsOptions, type LoadOptionsResult } from "./load-options";
