// Loaded with `node --import` before the CLI: installs hooks.mjs.
import { register } from "node:module";

register(new URL("./hooks.mjs", import.meta.url));
