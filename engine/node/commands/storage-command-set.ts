export { deleteCommand } from "./delete.ts";
export { gcCommand } from "./gc.ts";
export { listCommand } from "./list.ts";
export { repairCommand } from "./repair.ts";
export { showCommand } from "./show.ts";
export { verifyCommand } from "./verify.ts";
