// Text imports (`import x from "./f" with { type: "text" }`): migrations and
// the embedded assets, typed for tsc. Both runtimes give the file's content.
declare module "*.sql" {
  const text: string;
  export default text;
}
declare module "*.js" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "*.svg" {
  const text: string;
  export default text;
}
