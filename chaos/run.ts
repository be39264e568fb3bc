/** `npm run chaos`: the long chaos suite (a few minutes); prints the figures as JSON. `--short` runs what `npm test` runs. */
import { LONG, SHORT, runChaos } from "./suite";

const scale = process.argv.includes("--short") ? SHORT : LONG;
const figures = await runChaos(scale, (step) => console.error(`chaos: ${step}`));
console.log(JSON.stringify(figures, null, 2));
