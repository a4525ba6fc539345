export { ConfigWizard, type ConfigWizardProps } from "./config-wizard";
export { StepIndicator, type WizardStep } from "./step-indicator";
export { buildFormModel, humanize, type ConfigFormSpec, type FieldOption, type FormModel } from "./form-model";
export type { LoadOptions } from "./use-field-options";
