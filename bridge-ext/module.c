/* module.c - library entry point and build identification */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "kmersearch.h"

PG_MODULE_MAGIC;

bool		kmersearch_preloaded = false;

void
_PG_init(void)
{
	/* The SIMD check hook needs the detected level before the GUC exists. */
	kmersearch_detect_simd();
	kmersearch_define_gucs();
	kmersearch_install_planner_hook();
	kmersearch_install_utility_hook();
	/* The shared high-frequency cache lives in memory reserved at server start. */
	if (process_shared_preload_libraries_in_progress)
	{
		kmersearch_preloaded = true;
		kmersearch_highfreq_shmem_init();
		kmersearch_register_launcher();
	}
}

PG_FUNCTION_INFO_V1(kmersearch_show_buildno);
Datum
kmersearch_show_buildno(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_TEXT_P(cstring_to_text(KMERSEARCH_BUILDNO));
}
