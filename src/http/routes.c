/* The route table: every endpoint of the API with what the router checks before its handler
 * runs (authentication, a JSON object body, the largest body), then the customer's pages' API
 * (no login) and last the browser UI's files, whose catch-all "/{file}" must come after every
 * other one-segment path. Documented in web/openapi.json, docs/api.md and docs/ui.md; a route
 * added here belongs there too. */
#include "http/h-motion.h"
#include "http/h-preset.h"
#include "http/h-report.h"
#include "http/h-web.h"
#include "http/http.h"
#include "lib/banned.h"

#define API    HTTP_API_PREFIX
#define NOBODY 0
#define SMALL  (16u * 1024)
#define LARGE  (256u * 1024)
#define A      RF_AUTH
#define AJ     (RF_AUTH | RF_JSON_BODY)

const struct http_route http_routes[] = {
    {"GET", "/healthz", h_healthz, 0, NOBODY},
    {"GET", "/readyz", h_readyz, 0, NOBODY},
    {"GET", API "/healthz", h_healthz, 0, NOBODY},
    {"GET", API "/openapi.json", h_openapi, 0, NOBODY},

    {"POST", API "/sessions", h_session_create, RF_JSON_BODY, SMALL},
    {"DELETE", API "/sessions/current", h_session_delete, A, NOBODY},
    {"GET", API "/me", h_me, A, NOBODY},

    {"POST", API "/complaints", h_complaint_create, AJ, LARGE},
    {"GET", API "/complaints", h_complaint_list, A, NOBODY},
    {"GET", API "/complaints/{number}", h_complaint_get, A, NOBODY},
    {"PATCH", API "/complaints/{number}", h_complaint_patch, AJ, LARGE},
    {"POST", API "/complaints/{number}/transitions", h_complaint_transition, AJ, LARGE},
    {"GET", API "/complaints/{number}/events", h_complaint_events, A, NOBODY},
    {"POST", API "/complaints/{number}/comments", h_complaint_comment, AJ, SMALL},
    {"POST", API "/complaints/{number}/classification", h_complaint_classification, AJ, SMALL},
    {"GET", API "/complaints/{number}/survey-link", h_survey_link, A, NOBODY},

    {"POST", API "/classify", h_classify, AJ, LARGE},
    {"GET", API "/presets/current", h_preset_current, A, NOBODY},
    {"POST", API "/presets/validate", h_preset_validate, AJ, LARGE},
    {"PUT", API "/presets/current", h_preset_put, AJ, LARGE},
    {"GET", API "/reports/summary", h_report_summary, A, NOBODY},
    {"GET", API "/calendar/check", h_calendar_check, A, NOBODY},
    {"GET", API "/calendar/deadline", h_calendar_deadline, A, NOBODY},

    {"POST", API "/users", h_user_create, AJ, SMALL},
    {"GET", API "/users", h_user_list, A, NOBODY},
    {"GET", API "/users/{login}", h_user_get, A, NOBODY},
    {"PATCH", API "/users/{login}", h_user_patch, AJ, SMALL},
    {"POST", API "/departments", h_department_create, AJ, SMALL},
    {"GET", API "/departments", h_department_list, A, NOBODY},
    {"PATCH", API "/departments/{code}", h_department_patch, AJ, SMALL},

    {"GET", API "/incidents", h_incident_list, A, NOBODY},
    {"POST", API "/incidents", h_incident_create, AJ, SMALL},
    {"GET", API "/incidents/{code}", h_incident_get, A, NOBODY},
    {"POST", API "/incidents/{code}/complaints", h_incident_attach, AJ, SMALL},
    {"POST", API "/incidents/{code}/reply", h_incident_reply, AJ, SMALL},
    {"GET", API "/notifications", h_notification_list, A, NOBODY},
    {"POST", API "/notifications/{id}/read", h_notification_read, A, NOBODY},
    {"POST", API "/complaints/{number}/clock", h_complaint_clock, AJ, SMALL},
    {"POST", API "/public/progress", h_public_progress, RF_JSON_BODY, SMALL},
    {"GET", API "/public/survey/{token}", h_public_survey_get, 0, NOBODY},
    {"POST", API "/public/survey/{token}", h_public_survey_post, RF_JSON_BODY, SMALL},

    {"GET", "/", h_web_index, 0, NOBODY},
    {"GET", "/{file}", h_web_file, 0, NOBODY},
};

const size_t http_route_count = sizeof(http_routes) / sizeof(http_routes[0]);
