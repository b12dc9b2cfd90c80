/* An empty translation unit for libraries whose folder has no sources yet. */
typedef int tc_empty_unit_t;
