/* Unit tests for config_locate.c: which configuration is read, and what
 * its relative paths mean, for an installed tree made in a temporary
 * folder (the user's data root first, then the installation's; the
 * working directory only for a file named with --config). */
#include "test_util.h"

#include <unistd.h>

#include "config_locate.h"
#include "temp_tree.h"

/* An installation under base/usr with the demo's files, a home without
 * a configuration. */
static install_dirs installed(void)
{
	make_file("usr/share/terraind/models/demo.ts", "model");
	make_file("usr/share/terraind/terrains/demo.json", "terrain");
	make_dir("home");
	install_env env = {.home = at("home"), .exe = at("usr/bin/terraind"), .prefix = "/usr"};
	install_dirs d;
	char err[256];
	assert_int_equal(install_dirs_find(&env, &d, err, sizeof err), 0);
	assert_int_equal(d.kind, INSTALL_PREFIX);
	return d;
}

static void the_system_configuration_s_paths_resolve_under_the_installed_data(void **state)
{
	(void)state;
	install_dirs d = installed();
	make_file("etc/terraind/terraind.json", "{\"model\": \"models/demo.ts\", \"terrain\": \"terrains/demo.json\", "
	                                        "\"osc\": {\"port\": 9100}}");
	config c;
	config_origin origin;
	char err[512];
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), 0);
	assert_string_equal(origin.file, at("etc/terraind/terraind.json"));
	assert_false(origin.named);
	assert_int_equal(c.port, 9100);
	assert_string_equal(c.model, at("usr/share/terraind/models/demo.ts"));
	assert_string_equal(c.terrain, at("usr/share/terraind/terrains/demo.json"));
	/* none listed: models/ and terrains/ under the user's root, then the installation's */
	assert_int_equal(c.n_allowed_dirs, 4);
	assert_string_equal(c.allowed_dirs[0], at("home/.local/share/terraind/models"));
	assert_string_equal(c.allowed_dirs[1], at("usr/share/terraind/models"));
	assert_string_equal(c.allowed_dirs[2], at("home/.local/share/terraind/terrains"));
	assert_string_equal(c.allowed_dirs[3], at("usr/share/terraind/terrains"));
}

static void the_user_s_configuration_and_files_come_first(void **state)
{
	(void)state;
	install_dirs d = installed();
	make_file("etc/terraind/terraind.json", "{\"osc\": {\"port\": 9100}}");
	make_file("home/.config/terraind/terraind.json",
	          "{\"terrain\": \"terrains/demo.json\", \"allowed_dirs\": [\"terrains\", \"/srv/takes\"]}");
	make_file("home/.local/share/terraind/terrains/demo.json", "mine");
	config c;
	config_origin origin;
	char err[512];
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), 0);
	assert_string_equal(origin.file, at("home/.config/terraind/terraind.json"));
	assert_int_equal(c.port, 9000); /* the system's file was not read */
	assert_string_equal(c.terrain, at("home/.local/share/terraind/terrains/demo.json"));
	assert_string_equal(c.model, at("usr/share/terraind/models/demo.ts")); /* the default, installed */
	/* listed: each relative one under every root, in the order written */
	assert_int_equal(c.n_allowed_dirs, 3);
	assert_string_equal(c.allowed_dirs[0], at("home/.local/share/terraind/terrains"));
	assert_string_equal(c.allowed_dirs[1], at("usr/share/terraind/terrains"));
	assert_string_equal(c.allowed_dirs[2], "/srv/takes");
}

static void without_any_configuration_the_defaults_play_the_installed_demo(void **state)
{
	(void)state;
	install_dirs d = installed();
	if (access("/etc/terraind/terraind.json", F_OK) == 0)
		skip(); /* this machine has a system-wide configuration */
	config c;
	config_origin origin;
	char err[512];
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), 0);
	assert_string_equal(origin.file, "");
	assert_string_equal(c.model, at("usr/share/terraind/models/demo.ts"));
	assert_int_equal(c.n_allowed_dirs, 4);
}

static void a_named_file_reads_the_working_directory_first(void **state)
{
	(void)state;
	install_dirs d = installed();
	/* tests run from the repository root, which has models/demo.ts and
	 * terrains/demo.json, not terrains/only-installed.json */
	make_file("usr/share/terraind/terrains/only-installed.json", "t");
	make_file("named.json", "{\"model\": \"models/demo.ts\", \"terrain\": \"terrains/only-installed.json\", "
	                        "\"allowed_dirs\": [\"models\", \"mine\"]}");
	config c;
	config_origin origin;
	char err[512];
	assert_int_equal(config_locate_load(&c, at("named.json"), &d, &origin, err, sizeof err), 0);
	assert_true(origin.named);
	assert_string_equal(origin.file, at("named.json"));
	assert_string_equal(c.model, "models/demo.ts");
	assert_string_equal(c.terrain, at("usr/share/terraind/terrains/only-installed.json"));
	/* its allowed_dirs as written, relative to the working directory */
	assert_int_equal(c.n_allowed_dirs, 2);
	assert_string_equal(c.allowed_dirs[1], "mine");
	/* listing none gives the defaults under the data roots, as for a found file */
	make_file("named2.json", "{\"osc\": {\"port\": 9200}}");
	assert_int_equal(config_locate_load(&c, at("named2.json"), &d, &origin, err, sizeof err), 0);
	assert_int_equal(c.n_allowed_dirs, 4);
	assert_string_equal(c.allowed_dirs[0], at("home/.local/share/terraind/models"));
}

static void command_line_paths_read_the_working_directory_then_the_data(void **state)
{
	(void)state;
	install_dirs d = installed();
	config c;
	config_origin origin;
	char err[512];
	make_file("etc/terraind/terraind.json", "{}");
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), 0);
	/* as --model and --terrain set them: the repository root (the tests'
	 * working directory) has models/demo.ts; only the installation has
	 * terrains/only-installed.json */
	make_file("usr/share/terraind/terrains/only-installed.json", "t");
	snprintf(c.model, sizeof c.model, "models/demo.ts");
	snprintf(c.terrain, sizeof c.terrain, "terrains/only-installed.json");
	assert_int_equal(config_locate_command_line(&c, &d, err, sizeof err), 0);
	assert_string_equal(c.model, "models/demo.ts");
	assert_string_equal(c.terrain, at("usr/share/terraind/terrains/only-installed.json"));
}

static void a_recording_named_in_a_found_file_goes_to_the_user_s_data(void **state)
{
	(void)state;
	install_dirs d = installed();
	make_file("home/.config/terraind/terraind.json", "{\"audio\": {\"record\": \"takes/tonight.wav\"}}");
	config c;
	config_origin origin;
	char err[512];
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), 0);
	assert_string_equal(c.record, at("home/.local/share/terraind/takes/tonight.wav"));
}

static void too_many_directories_once_expanded_are_refused_with_a_reason(void **state)
{
	(void)state;
	install_dirs d = installed();
	make_file("home/.config/terraind/terraind.json", "{\"allowed_dirs\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}");
	config c;
	config_origin origin;
	char err[512];
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), -1);
	assert_contains(err, "allowed_dirs: more than 8 directories once each relative one is taken under every "
	                     "data root");
}

static void a_broken_found_file_is_an_error_that_names_it(void **state)
{
	(void)state;
	install_dirs d = installed();
	make_file("etc/terraind/terraind.json", "{\"prot\": 9000}");
	config c;
	config_origin origin;
	char err[512];
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), -1);
	assert_contains(err, at("etc/terraind/terraind.json"));
	assert_contains(err, "unknown key 'prot'");
}

static void the_user_s_folders_are_made_and_never_the_installation_s(void **state)
{
	(void)state;
	install_dirs d = installed();
	config c;
	config_origin origin;
	char err[512];
	make_file("etc/terraind/terraind.json", "{\"allowed_dirs\": [\"models\", \"terrains\", \"extra\"]}");
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), 0);
	assert_int_equal(config_locate_make_user_dirs(&c, &d), 3);
	assert_int_equal(access(at("home/.local/share/terraind/models"), F_OK), 0);
	assert_int_equal(access(at("home/.local/share/terraind/terrains"), F_OK), 0);
	assert_int_equal(access(at("home/.local/share/terraind/extra"), F_OK), 0);
	assert_int_not_equal(access(at("usr/share/terraind/extra"), F_OK), 0);
	assert_int_equal(config_locate_make_user_dirs(&c, &d), 0); /* they exist now */
}

static void the_origin_is_printed_with_what_was_searched(void **state)
{
	(void)state;
	install_dirs d = installed();
	make_file("home/.config/terraind/terraind.json", "{}");
	config c;
	config_origin origin;
	char err[512], text[4096] = "";
	assert_int_equal(config_locate_load(&c, NULL, &d, &origin, err, sizeof err), 0);
	FILE *out = fmemopen(text, sizeof text, "w");
	config_locate_print(&origin, &d, out);
	fclose(out);
	assert_contains(text, "installation   installed, ");
	assert_contains(text, "configuration  ");
	assert_contains(text, at("home/.config/terraind/terraind.json"));
	assert_contains(text, at("etc/terraind/terraind.json"));
	char roots[2048];
	config_locate_join_roots(&d, roots, sizeof roots);
	char expected[2048];
	snprintf(expected, sizeof expected, "%s:%s", at("home/.local/share/terraind"), at("usr/share/terraind"));
	assert_string_equal(roots, expected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(the_system_configuration_s_paths_resolve_under_the_installed_data,
	                                    temp_tree_setup, temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(the_user_s_configuration_and_files_come_first, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(without_any_configuration_the_defaults_play_the_installed_demo,
	                                    temp_tree_setup, temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(a_named_file_reads_the_working_directory_first, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(command_line_paths_read_the_working_directory_then_the_data,
	                                    temp_tree_setup, temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(a_recording_named_in_a_found_file_goes_to_the_user_s_data, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(too_many_directories_once_expanded_are_refused_with_a_reason,
	                                    temp_tree_setup, temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(a_broken_found_file_is_an_error_that_names_it, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(the_user_s_folders_are_made_and_never_the_installation_s, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(the_origin_is_printed_with_what_was_searched, temp_tree_setup,
	                                    temp_tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
