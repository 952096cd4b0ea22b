/*
 * Deadlines of an order from its connection's SLA (CONTRACT.md section 5).
 */
#ifndef DROPLINE_DOMAIN_SLA_H
#define DROPLINE_DOMAIN_SLA_H

#include <stdint.h>

#define SECONDS_PER_HOUR 3600

/*
 * sla_deadlines(): acknowledge_by is received_at plus the hours to
 * acknowledge; fulfill_by is received_at plus the hours to fulfil plus the
 * largest lead time among the order's variants. Hours are bounded by the
 * schema (at most 8760 and 87600), so nothing here can overflow.
 */
void sla_deadlines(int64_t received_at, int64_t hours_to_acknowledge, int64_t hours_to_fulfill,
		   int64_t max_lead_time_hours, int64_t *acknowledge_by, int64_t *fulfill_by);

#endif
