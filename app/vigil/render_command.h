#pragma once

namespace vigil::app {

// `vigil render DASHBOARD.json --out file.png [--from now-1h --to now]
// [--width 1600] [--var name=value]... [--panel ID]
// [--data-dir DIR | --datasource URL]`: renders a dashboard (or one panel) to
// PNG on the offscreen platform, for reports and tests. Returns the exit
// code: 0 rendered, 1 failed, 2 bad usage.
bool isRenderCommand(int argc, char** argv);
int runRenderCommand(int argc, char** argv);

}  // namespace vigil::app
