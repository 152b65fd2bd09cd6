// Starts the NHS.UK frontend components. Loaded as a module from our own origin, so the
// Content-Security-Policy can forbid inline scripts; pages work without it (no JS needed).
import { initAll } from "/static/vendor/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
