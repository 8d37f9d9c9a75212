/*
 * osc_status.c — /status.reply: the writers of its "key", value pairs
 * (osc_status.h), and the one function that assembles it.
 */
#include "osc_status.h"

#include "audio.h"
#include "clock.h"
#include "midi_in.h"
#include "jack_ports.h"
#include "osc_internal.h"
#include "osc_looper.h"
#include "version.h"

void osc_status_add_int(lo_message m, const char *key, int64_t value)
{
	lo_message_add_string(m, key);
	if (value >= INT32_MIN && value <= INT32_MAX)
		lo_message_add_int32(m, (int32_t)value);
	else
		lo_message_add_int64(m, value);
}

void osc_status_add_float(lo_message m, const char *key, double value)
{
	lo_message_add_string(m, key);
	lo_message_add_float(m, (float)value);
}

void osc_status_add_string(lo_message m, const char *key, const char *value)
{
	lo_message_add_string(m, key);
	lo_message_add_string(m, value);
}

void osc_status_add_xruns(lo_message m, uint64_t xruns)
{
	int64_t count = xruns > INT64_MAX ? INT64_MAX : (int64_t)xruns;
	osc_status_add_int(m, "xruns", count);
	osc_status_add_int(m, "underruns", count); /* deprecated alias: drop at the next format version */
}

/* The model and terrain playing, and what follows from them. */
static void add_playing(osc_context *o, lo_message m)
{
	pthread_mutex_lock(&o->lock);
	osc_playing p = o->playing;
	pthread_mutex_unlock(&o->lock);
	osc_status_add_string(m, "model", p.model);
	osc_status_add_string(m, "terrain", p.terrain);
	osc_status_add_int(m, "model_rate", p.model_rate);
	osc_status_add_int(m, "ratio", p.ratio);
	osc_status_add_int(m, "frames_per_call", p.frames_per_call);
	osc_status_add_float(m, "model_latency_ms", p.call_ms);
	osc_status_add_string(m, "model_rate_source", p.rate_source);
	osc_status_add_string(m, "model_warning", p.rate_warning);
	osc_status_add_float(m, "model_warmup_ms", p.warmup_ms);
	char kernels[400];
	model_blas_kernels(kernels, sizeof kernels);
	osc_status_add_string(m, "blas_kernels", kernels);
}

/* The device, and the latency it sets. */
static void add_device(osc_context *o, lo_message m)
{
	pthread_mutex_lock(&o->lock);
	double call_ms = o->playing.call_ms;
	pthread_mutex_unlock(&o->lock);
	int rate = engine_device_rate(o->engine), period = audio_period(o->audio);
	osc_status_add_string(m, "device", audio_device_name(o->audio));
	osc_status_add_string(m, "audio", audio_stopped(o->audio) ? "stopped" : "running");
	osc_status_add_int(m, "device_rate", rate);
	osc_status_add_int(m, "period", period);
	osc_status_add_float(m, "cpu_load", audio_cpu_load(o->audio));
	/* device_xruns: xruns the audio server reported, whatever their cause
	 * (a JACK dummy driver on a busy VM reports its own timer lateness);
	 * `xruns` below counts the callbacks terraind itself could not fill. */
	osc_status_add_int(m, "device_xruns", (int64_t)audio_device_underflows(o->audio));
	/* One decode call's audio (frames_per_call latent frames) plus a period. */
	osc_status_add_float(m, "latency_floor_ms", call_ms + 1000.0 * period / rate);
	/* The audio kept ahead of the callback (audio.ring_ms, or the automatic
	 * target, which grows for a while after xruns: fill_target.h). */
	osc_status_add_float(m, "ring_target_ms", 1000.0 * (double)engine_target_fill(o->engine) / rate);
	osc_status_add_float(m, "uptime_s", (clock_now_ns() - o->started_ns) / 1e9);
}

/* Which terraind, the configuration and data it runs on, and where its
 * JACK outputs go (audio.jack_ports). */
static void add_origin(osc_context *o, lo_message m)
{
	osc_status_add_string(m, "version", terraind_version());
	if (o->config_file)
		osc_status_add_string(m, "config", o->config_file[0] ? o->config_file : "(built-in defaults)");
	if (o->data_dirs)
		osc_status_add_string(m, "data_dirs", o->data_dirs);
	if (o->jack) {
		osc_status_add_int(m, "jack_ports_connected", jack_ports_connected(o->jack));
		osc_status_add_int(m, "jack_ports_waiting", jack_ports_waiting(o->jack));
	}
}

/* Tempo, meter and Link. */
static void add_tempo(osc_context *o, lo_message m)
{
	tempo_link *link = atomic_load(&o->looper.link);
	int on = link && tempo_link_enabled(link);
	osc_status_add_float(m, "tempo", osc_looper_bpm(&o->looper));
	osc_status_add_int(m, "meter", atomic_load(&o->looper.meter));
	osc_status_add_int(m, "link", on);
	osc_status_add_int(m, "link_peers", on ? tempo_link_peers(link) : 0);
}

void osc_status_send(osc_context *o, const osc_peer *peer)
{
	engine_stats s;
	engine_stats_read(o->engine, &s);
	lo_message m = lo_message_new();
	if (!m)
		return;
	add_origin(o, m);
	add_playing(o, m);
	if (o->audio)
		add_device(o, m);
	osc_status_add_int(m, "frames", (int64_t)s.frames_rendered);
	osc_status_add_xruns(m, s.underruns);
	osc_status_add_int(m, "dropped", (int64_t)s.dropped_events);
	osc_status_add_int(m, "clamped", (int64_t)s.clamped);
	osc_status_add_int(m, "decode_errors", (int64_t)s.decode_errors);
	osc_status_add_int(m, "record_lost", (int64_t)s.record_lost);
	osc_status_add_int(m, "limited", (int64_t)s.limited);
	osc_status_add_int(m, "voices_active", s.voices_active);
	osc_status_add_int(m, "voices_max", s.voices_max);
	osc_status_add_int(m, "voices_shed", (int64_t)s.voices_shed);
	osc_status_add_int(m, "overloaded", (int64_t)s.overloaded);
	osc_status_add_int(m, "render_realtime", s.render_realtime);
	osc_status_add_float(m, "latency_ms", s.latency_ns < 0 ? -1.0 : s.latency_ns / 1e6);
	osc_status_add_string(m, "subframe", engine_subframe_text(s.subframe));
	osc_status_add_int(m, "redecodes", (int64_t)s.redecodes);
	osc_status_add_int(m, "redecodes_refused", (int64_t)s.redecodes_refused);
	osc_status_add_string(m, "redecodes_refused_why", s.redecodes_refused_why);
	osc_status_add_int(m, "redecodes_late", (int64_t)s.redecodes_late);
	osc_status_add_int(m, "queued_replaced", (int64_t)s.queued_replaced);
	osc_status_add_int(m, "render_threads", s.render_threads);
	osc_status_add_int(m, "worker_decodes", (int64_t)s.worker_decodes);
	osc_status_add_float(m, "render_max_ms", s.render_ns_max / 1e6);
	osc_status_add_float(m, "gain", engine_get_gain(o->engine));
	osc_status_add_int(m, "messages", (int64_t)atomic_load(&o->messages));
	osc_status_add_int(m, "failures", (int64_t)atomic_load(&o->failures));
	osc_status_add_int(m, "malformed", (int64_t)atomic_load(&o->malformed));
	osc_status_add_int(m, "coalesced", (int64_t)atomic_load(&o->coalesced));
	osc_status_add_int(m, "replies_suppressed", (int64_t)atomic_load(&o->replies_suppressed));
	osc_status_add_int(m, "udp_dropped", (int64_t)atomic_load(&o->udp_dropped));
	osc_status_add_int(m, "refused", (int64_t)atomic_load(&o->refused));
	grains_stats g;
	engine_grains_stats(o->engine, &g);
	osc_status_add_int(m, "grains_started", (int64_t)g.started);
	osc_status_add_int(m, "grains_skipped", (int64_t)g.skipped);
	osc_status_add_int(m, "grains_sounding", g.sounding);
	add_tempo(o, m);
	midi_in_status(atomic_load(&o->midi), m);
	osc_send(o, peer, "/status.reply", m);
	lo_message_free(m);
}

void osc_handle_status(osc_call *c)
{
	osc_status_send(c->o, c->peer);
}
