// uPlot, loaded after the locale guard (imports evaluate in order).
import "./locale";
import uPlot from "uplot";

export default uPlot;
