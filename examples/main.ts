// `npm start`: the tour, printed to the terminal.
import { runTour } from "./tour.js";

await runTour((line) => console.log(line));
