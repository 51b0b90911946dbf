export * from "./rule";
export * from "./policy-pack";
export * from "./suppressions";
export { ResourceView } from "./resource-view";
export * from "./rules";
