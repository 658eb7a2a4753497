// Purpose: PlanReload (see reload.h), from the reload column of the settings
// table (config.cc): each changed key is either applied live or kept until a
// restart.
#include "daemon/reload.h"

namespace footfall::daemon {

ReloadPlan PlanReload(const Config& running, const Config& loaded) {
  ReloadPlan plan;
  plan.next = running;
  for (const Setting& setting : Settings()) {
    if (setting.reload == OnReload::kAsOtherKey || !setting.differs(running, loaded)) continue;
    if (setting.reload == OnReload::kApplyLive) {
      setting.copy(plan.next, loaded);
      plan.applied.push_back(setting.name());
    } else {
      plan.needs_restart.push_back(setting.name());
    }
  }
  return plan;
}

}  // namespace footfall::daemon
