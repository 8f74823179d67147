/* The working-day calendar: which civil dates are working days in mainland China, from the
 * State Council's yearly notices (data/cn-calendar.csv) plus an organisation's own extra rest
 * or working days. Ownership: struct calendar is caller-owned storage; calendar_init() makes
 * it empty, calendar_release() frees what the loaders added. A calendar is read-only once
 * built and safe to share between threads. */
#ifndef KS_CORE_CALENDAR_H
#define KS_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/civil.h"
#include "lib/err.h"

enum cal_kind {
    CAL_WORKDAY = 0, /* a working day */
    CAL_RESTDAY,     /* weekend or holiday */
    CAL_UNKNOWN,     /* outside the years the calendar knows: never guessed */
};

/* Why a day has its kind: a weekend, a named holiday, an adjusted working day (调休) ... */
enum cal_reason {
    CAL_R_WEEKDAY = 0, /* Monday-Friday with no entry */
    CAL_R_WEEKEND,     /* Saturday/Sunday with no entry */
    CAL_R_HOLIDAY,     /* official holiday */
    CAL_R_ADJUSTED,    /* official working weekend day (调休上班) */
    CAL_R_ORG_REST,    /* organisation's own rest day */
    CAL_R_ORG_WORK,    /* organisation's own working day */
    CAL_R_UNKNOWN,     /* year not covered */
};

struct cal_entry {
    struct ks_date date;
    enum cal_reason reason; /* CAL_R_HOLIDAY, CAL_R_ADJUSTED, CAL_R_ORG_REST or CAL_R_ORG_WORK */
    char *name;             /* owned: "Spring Festival", "公司年会" ... */
};

struct calendar {
    int first_year, last_year; /* years covered; 0/0 when nothing is loaded */
    struct cal_entry *entries; /* sorted by date; org entries override official ones */
    size_t n_entries, cap_entries;
};

void calendar_init(struct calendar *cal);
void calendar_release(struct calendar *cal);

/* Loads the official calendar in the format of data/cn-calendar.csv ("date,kind,name" with
 * kind holiday|workday, header line first). The years covered become those from the first
 * to the last date listed. Errors name the line: "cn-calendar.csv:12: ...". */
int calendar_load_csv(struct calendar *cal, const char *text, size_t len, const char *source,
                      struct ks_error *err);

/* Adds an organisation's own rest day (is_workday false) or working day (true). It overrides
 * the official entry for that date. The date must be inside the covered years. */
int calendar_add_org_day(struct calendar *cal, struct ks_date d, bool is_workday, const char *name,
                         struct ks_error *err);

/* The kind of date d, and optionally why and the entry's name (borrowed from cal). */
enum cal_kind calendar_day(const struct calendar *cal, struct ks_date d,
                           enum cal_reason *reason_out, const char **name_out);

/* The Chinese name of an official holiday named in English by the State Council's notices
 * ("National Day/Mid-autumn Festival" -> "国庆节、中秋节"); other names are returned as given. */
const char *calendar_name_zh(const char *name);

/* "workday", "restday", "unknown". */
const char *cal_kind_name(enum cal_kind k);

#endif
