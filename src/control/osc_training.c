/*
 * osc_training.c — live training over OSC: /train/add collects pairs,
 * /train/run and /train/save hand the work to the worker, which reports
 * /train/progress.
 */
#include "osc_internal.h"

/* /train/add x y [...] z0 z1 ...: one pair, control_dim + latent_dim numbers. */
void osc_handle_train_add(osc_call *c)
{
	enum { MAX_WIDTH = TERRAIN_MAX_CONTROL_DIM + TERRAIN_MAX_LATENT_DIM };
	int width = training_pairs_width(&c->o->training);
	float v[MAX_WIDTH];
	if (width <= 0 || width > MAX_WIDTH ||
	    osc_call_numbers(c, width, v, width, "coordinates, then the latent vector") < 0)
		return;
	switch (training_pairs_add(&c->o->training, v, width)) {
	case 0: osc_call_done_control(c); break;
	case -1: osc_call_fail(c, "the terrain changed shape while this pair was read: send it again"); break;
	case -2: osc_call_fail(c, "cannot keep more than %d pairs", TRAINING_PAIRS_MAX); break;
	default: osc_call_fail(c, "out of memory for training pairs"); break;
	}
}

void osc_handle_train_clear(osc_call *c)
{
	training_pairs_clear(&c->o->training);
	osc_reply_done(c->o, c->peer, c->address);
}

void osc_handle_train_run(osc_call *c)
{
	float epochs = 10; /* as one of nn.terrain~'s train messages */
	if (c->argc > 0 && osc_call_numbers(c, 1, &epochs, 1, "epochs") < 0)
		return;
	if (epochs < 1 || epochs > 100000) {
		osc_call_fail(c, "epochs %g is out of range (1 to 100000)", (double)epochs);
		return;
	}
	osc_request req = {.type = OSC_TRAIN, .fd = -1, .epochs = (int)epochs};
	osc_submit(c, &req);
}

/* /train/save PATH [overwrite]: a terrain file (.json) only, and an
 * existing one is replaced only when asked (overwrite 1), so that a typo
 * cannot destroy a model or another terrain. */
void osc_handle_train_save(osc_call *c)
{
	const char *path;
	int overwrite;
	if (osc_call_save_path(c, "a terrain", &path, &overwrite) == 0)
		osc_submit_file(c, OSC_SAVE_TERRAIN, path, 1, overwrite);
}

void osc_send_progress(osc_context *o, const osc_peer *peer, int epoch, int epochs, double loss)
{
	lo_message m = lo_message_new();
	if (!m)
		return; /* out of memory: nothing can be sent */
	lo_message_add_int32(m, epoch);
	lo_message_add_int32(m, epochs);
	lo_message_add_float(m, (float)loss);
	osc_send(o, peer, "/train/progress", m);
	lo_message_free(m);
}
