export { createDkgHelper, type NodeDkgHelper } from "./createDkgHelper";
