#ifndef NOABER_DB_TEST_SUITES_H
#define NOABER_DB_TEST_SUITES_H

#include <check.h>

/* The migrator's repeatable function files (test_migrate.c). */
TCase *migrate_tcase(void);
/* When the desk next opens (test_desk_hours.c). */
TCase *desk_hours_tcase(void);

#endif
