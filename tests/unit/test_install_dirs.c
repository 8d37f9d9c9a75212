/* Unit tests for install_dirs.c: which installation a binary belongs to
 * (from where it lies), the configuration files searched and the data
 * roots, fed environments and small trees made in a temporary folder. */
#include "test_util.h"

#include <unistd.h>

#include "temp_tree.h"

#include "install_dirs.h"

static install_dirs find(install_env env)
{
	install_dirs d;
	char err[256];
	assert_int_equal(install_dirs_find(&env, &d, err, sizeof err), 0);
	return d;
}

static void an_installed_binary_finds_its_prefix_from_where_it_lies(void **state)
{
	(void)state;
	make_dir("opt/td/share/terraind");
	install_dirs d =
	    find((install_env){.home = at("home"), .exe = at("opt/td/bin/terraind"), .prefix = "/usr/local"});
	assert_int_equal(d.kind, INSTALL_PREFIX);
	assert_string_equal(d.root, at("opt/td"));
	assert_string_equal(d.data, at("opt/td/share/terraind"));
	assert_int_equal(d.n_configs, 3);
	assert_string_equal(d.configs[0], at("home/.config/terraind/terraind.json"));
	assert_string_equal(d.configs[1], at("opt/td/etc/terraind/terraind.json"));
	assert_string_equal(d.configs[2], "/etc/terraind/terraind.json");
	assert_int_equal(d.n_roots, 2);
	assert_string_equal(d.roots[0], at("home/.local/share/terraind"));
	assert_string_equal(d.roots[1], at("opt/td/share/terraind"));
	assert_string_equal(d.user_data, at("home/.local/share/terraind"));
}

static void the_prefix_usr_keeps_its_configuration_in_etc(void **state)
{
	(void)state;
	make_dir("root/usr/share/terraind");
	install_dirs d = find((install_env){.home = at("home"), .exe = at("root/usr/bin/terraind"), .prefix = "/usr"});
	assert_int_equal(d.kind, INSTALL_PREFIX);
	assert_string_equal(d.configs[1], at("root/etc/terraind/terraind.json"));
	char web[1024], err[256];
	assert_int_equal(install_dirs_web_root(&d, web, sizeof web, err, sizeof err), 0);
	assert_string_equal(web, at("root/usr/share/terraind/web"));
}

static void xdg_directories_win_over_home_when_absolute(void **state)
{
	(void)state;
	make_dir("p/share/terraind");
	install_dirs d = find((install_env){.xdg_config_home = at("cfg"),
	                                    .xdg_data_home = at("data"),
	                                    .home = at("home"),
	                                    .exe = at("p/bin/terraind")});
	assert_string_equal(d.configs[0], at("cfg/terraind/terraind.json"));
	assert_string_equal(d.roots[0], at("data/terraind"));
	/* the XDG specification ignores relative values */
	d = find((install_env){
	    .xdg_config_home = "rel", .xdg_data_home = "rel", .home = at("home"), .exe = at("p/bin/terraind")});
	assert_string_equal(d.configs[0], at("home/.config/terraind/terraind.json"));
	assert_string_equal(d.roots[0], at("home/.local/share/terraind"));
}

static void without_home_there_is_no_user_configuration_or_data(void **state)
{
	(void)state;
	make_dir("p/share/terraind");
	install_dirs d = find((install_env){.exe = at("p/bin/terraind")});
	assert_string_equal(d.user_data, "");
	assert_int_equal(d.n_roots, 1);
	assert_string_equal(d.roots[0], at("p/share/terraind"));
	assert_string_equal(d.configs[0], at("p/etc/terraind/terraind.json"));
}

static void a_binary_in_a_clone_reads_the_clone_and_never_etc(void **state)
{
	(void)state;
	make_file("clone/config/terraind.json", "{}");
	make_file("clone/Makefile", "");
	make_dir("clone/models");
	install_dirs d =
	    find((install_env){.home = at("home"), .exe = at("clone/build/asan/terraind"), .prefix = "/usr"});
	assert_int_equal(d.kind, INSTALL_CLONE);
	assert_string_equal(d.root, at("clone"));
	assert_string_equal(d.data, at("clone"));
	assert_int_equal(d.n_configs, 2);
	assert_string_equal(d.configs[0], at("home/.config/terraind/terraind.json"));
	assert_string_equal(d.configs[1], at("clone/config/terraind.json"));
	assert_string_equal(d.roots[1], at("clone"));
}

static void a_folder_without_the_clone_s_files_is_not_a_clone(void **state)
{
	(void)state;
	make_file("half/config/terraind.json", "{}"); /* no models/, no Makefile */
	install_dirs d = find((install_env){.home = at("home"), .exe = at("half/build/terraind"), .prefix = "/opt/x"});
	assert_int_equal(d.kind, INSTALL_COMPILED);
	/* a bin/ folder without share/terraind beside it is no installation either */
	d = find((install_env){.home = at("home"), .exe = at("bare/bin/terraind"), .prefix = "/opt/x"});
	assert_int_equal(d.kind, INSTALL_COMPILED);
	assert_string_equal(d.root, "/opt/x");
	assert_string_equal(d.data, "/opt/x/share/terraind");
	assert_string_equal(d.configs[1], "/opt/x/etc/terraind/terraind.json");
	assert_string_equal(d.configs[2], "/etc/terraind/terraind.json");
}

static void an_executable_path_unknown_relative_or_too_long_finds_no_installation(void **state)
{
	(void)state;
	make_dir("opt/td/share/terraind"); /* an installation, which only an absolute path finds */
	static char long_path[INSTALL_PATH_MAX + 16];
	memset(long_path, 'a', sizeof long_path - 1);
	long_path[0] = '/';
	const char *exes[] = {NULL, "", "opt/td/bin/terraind", long_path};
	char cwd[1024];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(at("")), 0); /* where the relative path would name the installation */
	for (size_t i = 0; i < sizeof exes / sizeof *exes; i++) {
		install_dirs d = find((install_env){.home = at("home"), .exe = exes[i], .prefix = "/opt/x"});
		assert_int_equal(d.kind, INSTALL_COMPILED);
		assert_string_equal(d.root, "/opt/x");
	}
	assert_int_equal(chdir(cwd), 0);
}

static void the_first_configuration_that_exists_is_used(void **state)
{
	(void)state;
	make_dir("q/share/terraind");
	install_env env = {.home = at("home"), .exe = at("q/bin/terraind")};
	install_dirs d = find(env);
	if (access("/etc/terraind/terraind.json", F_OK) != 0)
		assert_null(install_dirs_config_file(&d));
	make_file("q/etc/terraind/terraind.json", "{}");
	assert_string_equal(install_dirs_config_file(&d), at("q/etc/terraind/terraind.json"));
	make_file("home/.config/terraind/terraind.json", "{}");
	assert_string_equal(install_dirs_config_file(&d), at("home/.config/terraind/terraind.json"));
}

static void data_paths_prefer_the_user_s_copy(void **state)
{
	(void)state;
	make_file("r/share/terraind/models/demo.ts", "installed");
	make_file("r/share/terraind/terrains/demo.json", "installed");
	make_file("home/.local/share/terraind/terrains/demo.json", "mine");
	install_dirs d = find((install_env){.home = at("home"), .exe = at("r/bin/terraind")});
	char path[1024], err[256];
	assert_int_equal(install_dirs_data_path(&d, "models/demo.ts", path, sizeof path, err, sizeof err), 0);
	assert_string_equal(path, at("r/share/terraind/models/demo.ts"));
	assert_int_equal(install_dirs_data_path(&d, "terrains/demo.json", path, sizeof path, err, sizeof err), 0);
	assert_string_equal(path, at("home/.local/share/terraind/terrains/demo.json"));
	/* nowhere: named under the installation's data, where it belongs */
	assert_int_equal(install_dirs_data_path(&d, "models/none.ts", path, sizeof path, err, sizeof err), 0);
	assert_string_equal(path, at("r/share/terraind/models/none.ts"));
	char small[16];
	assert_int_equal(install_dirs_data_path(&d, "models/none.ts", small, sizeof small, err, sizeof err), -1);
	assert_contains(err, "the data path is longer than 15 bytes");
}

static void the_running_process_reports_its_own_executable(void **state)
{
	(void)state;
	char exe[1024];
	install_env env = install_env_current(exe, sizeof exe);
	assert_true(exe[0] == '/');
	assert_non_null(strstr(exe, "test_install_dirs"));
	assert_non_null(env.prefix);
	/* this test binary lies in <clone>/build/tests: a clone */
	install_dirs d = find(env);
	assert_int_equal(d.kind, INSTALL_CLONE);
	char cwd[1024];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_string_equal(d.root, cwd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(an_installed_binary_finds_its_prefix_from_where_it_lies, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(the_prefix_usr_keeps_its_configuration_in_etc, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(xdg_directories_win_over_home_when_absolute, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(without_home_there_is_no_user_configuration_or_data, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(a_binary_in_a_clone_reads_the_clone_and_never_etc, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(a_folder_without_the_clone_s_files_is_not_a_clone, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(an_executable_path_unknown_relative_or_too_long_finds_no_installation,
	                                    temp_tree_setup, temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(the_first_configuration_that_exists_is_used, temp_tree_setup,
	                                    temp_tree_teardown),
	    cmocka_unit_test_setup_teardown(data_paths_prefer_the_user_s_copy, temp_tree_setup, temp_tree_teardown),
	    cmocka_unit_test(the_running_process_reports_its_own_executable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
