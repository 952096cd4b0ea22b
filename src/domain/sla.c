/* Order deadlines; see include/domain/sla.h. */
#include "domain/sla.h"

void sla_deadlines(int64_t received_at, int64_t hours_to_acknowledge, int64_t hours_to_fulfill,
		   int64_t max_lead_time_hours, int64_t *acknowledge_by, int64_t *fulfill_by)
{
	*acknowledge_by = received_at + hours_to_acknowledge * SECONDS_PER_HOUR;
	*fulfill_by = received_at + (hours_to_fulfill + max_lead_time_hours) * SECONDS_PER_HOUR;
}
