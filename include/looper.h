/*
 * looper — the gesture looper: loops of control, not of audio. A loop is
 * the path a voice's cursor took (its coordinates, pressure included when
 * the terrain has it as an axis), one point per latent frame, timed; it
 * plays back on a voice of its own, so the sound stays live and a loop can
 * move, scale and rotate on the terrain, be trimmed, slowed down or
 * reversed without artefacts. In `latent` mode the latent vectors are
 * recorded too and played back as they were, whatever the terrain is now.
 *
 * Commands are SooperLooper's (docs/osc.md, "Gesture looper"): record
 * (again: end), overdub (the live cursor replaces the path where the loop
 * passes, again: end), play, stop, undo, redo, clear. With quantize `beat`
 * or `bar`, a recording starts and ends on the tempo grid (looper_tempo).
 *
 * Memory: every take is preallocated (looper_create), LOOPER_TAKES per loop
 * (the playing take, one to undo to, the one being recorded), each
 * LOOPER_MAX_FRAMES latent frames long (87 s with the demo model's 10.7 ms
 * frames) and LOOPER_LATENT_FLOATS latent values (latent mode: 8192
 * frames of 8 latents, 4096 of 16). A recording that fills its take ends
 * there and plays; full_count tells the control side, which says so.
 *
 * Threads: looper_create/looper_free on a non-RT thread; everything else
 * on the render thread only (the engine calls it once per latent frame and
 * for each loop command): no allocation, no locks, no system calls.
 */
#ifndef TERRAIND_LOOPER_H
#define TERRAIND_LOOPER_H

#include <stdint.h>

#include "gesture.h"
#include "terrain.h"

enum {
	LOOPER_LOOPS = 8,
	LOOPER_MAX_FRAMES = 8192,
	LOOPER_LATENT_FLOATS = 1 << 16,
	LOOPER_TAKES = 3,
	LOOPER_DIM = GESTURE_MAX_DIM,
	LOOPER_MAX_VOICES = 32,
};

typedef enum loop_state {
	LOOP_EMPTY,
	LOOP_WAITING,     /* armed: recording starts on the next grid line */
	LOOP_RECORDING,   /* the take is being recorded */
	LOOP_FINISHING,   /* recording until the next grid line, then playing */
	LOOP_OVERDUBBING, /* playing, the live cursor replacing the path where it passes */
	LOOP_PLAYING,
	LOOP_STOPPED,
} loop_state;

/* The names /loop/N/state sends ("empty", "waiting", ...). */
const char *looper_state_name(loop_state s);

typedef enum loop_quantize { LOOP_QUANTIZE_OFF, LOOP_QUANTIZE_BEAT, LOOP_QUANTIZE_BAR } loop_quantize;
typedef enum loop_mode { LOOP_MODE_CONTROL, LOOP_MODE_LATENT } loop_mode;

/* How a loop plays: what /loop/N/set changes. */
typedef struct loop_settings {
	float rate;       /* playback speed, 1 = as recorded */
	int reverse;      /* plays backwards */
	float start, end; /* the part that loops, fractions of the take (start < end) */
	float offset[2];  /* added to x and y */
	float scale;      /* about the take's centre */
	float rotate;     /* degrees, counter-clockwise about the take's centre */
	float gain;       /* the voice's gain while the loop plays it (as /voice/N/gain) */
	loop_quantize quantize;
	loop_mode mode;
	int voice;  /* the voice it plays on */
	int source; /* the voice it records (record's argument; 0 by default) */
} loop_settings;

/* The settings of a new loop, which plays on voice `voice`. */
loop_settings looper_default_settings(int voice);
/* The voice loop n plays on unless told otherwise: the highest voices,
 * loop 0 on the last (live hands take the low ones), voice 0 at least. */
int looper_default_voice(int n, int max_voices);

typedef struct loop_take {
	int frames;     /* points recorded */
	int dim;        /* control axes */
	int latent_dim; /* latents per point (0: none were recorded) */
	double length;  /* seconds: the period of the loop */
	float centre[2];
	float *time;   /* frames: seconds from the start of the take */
	float *coord;  /* frames × LOOPER_DIM */
	float *latent; /* frames × latent_dim */
} loop_take;

typedef struct loop {
	loop_state state;
	loop_settings set;
	int history[LOOPER_TAKES]; /* takes, oldest first; history[at] plays */
	int n_history, at;
	int rec;            /* the take being recorded or overdubbed, -1 when none */
	double rec_time;    /* seconds into the recording */
	double grid_target; /* WAITING/FINISHING: the beat it waits for */
	double start_beat;  /* the beat the playing take's recording started on */
	double rec_start_beat;
	double position;     /* seconds into the playing take */
	int sounding;        /* the voice it drives (started, not released), -1 when none */
	int overdub_index;   /* OVERDUBBING: the point played this frame, which the live cursor replaces */
	uint64_t full_count; /* recordings that filled their take */
	float latent_out[TERRAIN_MAX_LATENT_DIM]; /* latent mode: this frame's latents */
} loop;

typedef struct looper {
	loop loops[LOOPER_LOOPS];
	loop_take takes[LOOPER_LOOPS][LOOPER_TAKES];
	float *memory; /* every take's buffers, one allocation */
	double bpm, beat;
	int meter;      /* beats in a bar */
	double frame_s; /* the latent frame being rendered (looper_advance) */
} looper;

/* Every loop empty, on its default voice for `max_voices` voices; 120 BPM in 4. */
int looper_create(int max_voices, looper **out);
void looper_free(looper *l);

/* One setting of /loop/N/set (the control side checks the value). */
typedef enum loop_key {
	LOOP_KEY_RATE,
	LOOP_KEY_REVERSE,
	LOOP_KEY_START,
	LOOP_KEY_END,
	LOOP_KEY_OFFSET_X,
	LOOP_KEY_OFFSET_Y,
	LOOP_KEY_SCALE,
	LOOP_KEY_ROTATE,
	LOOP_KEY_GAIN,
	LOOP_KEY_QUANTIZE, /* a loop_quantize */
	LOOP_KEY_MODE,     /* a loop_mode */
	LOOP_KEY_VOICE,
	LOOP_KEYS
} loop_key;

/* Sets one key of s (value as checked by the caller). */
void looper_apply_setting(loop_settings *s, loop_key key, double value);
/* The key's value in s. */
double looper_setting(const loop_settings *s, loop_key key);

typedef enum loop_op {
	LOOP_RECORD, /* value: the voice to record (first record of a take) */
	LOOP_OVERDUB,
	LOOP_PLAY,
	LOOP_STOP,
	LOOP_UNDO,
	LOOP_REDO,
	LOOP_CLEAR,
	LOOP_SET,    /* key, value: one setting */
	LOOP_LOAD,   /* gesture (length in value, seconds): a new take */
	LOOP_TEMPO,  /* value: beats per minute (every loop) */
	LOOP_METER,  /* value: beats per bar (every loop) */
	LOOP_EXPORT, /* not a looper command: the engine copies the take (engine_loop_send) */
} loop_op;

typedef struct loop_command {
	loop_op op;
	int loop;
	loop_key key;
	double value;
	const gesture *gesture;
} loop_command;

/* Applies a command at the present frame. Returns 0, or -1 when it does
 * nothing in the loop's state (the control side words the reason). */
int looper_command(looper *l, const loop_command *c);

/* What a loop asks of its voice this frame. */
typedef struct loop_output {
	int voice;         /* the voice it drives this frame; -1: none */
	int start;         /* sound that voice (the loop starts playing) */
	int release_voice; /* release this voice (stopped, cleared, moved to another voice); -1: none */
	int dim;
	float coord[LOOPER_DIM];
	const float *latent; /* latent mode: the latents to decode (latent_dim), else NULL */
	int latent_dim;
	float gain;
} loop_output;

/* One latent frame of `frame_s` seconds begins: the tempo grid moves on,
 * waiting recordings start, finishing ones end, playing loops step. Fills
 * out[LOOPER_LOOPS]. */
void looper_advance(looper *l, double frame_s, loop_output *out);

/* Follows another clock (Ableton Link): the beat and tempo now. A jump
 * moves waiting and finishing loops to the next grid line of the new beat. */
void looper_sync(looper *l, double beat, double bpm);

/* The voice loop n records this frame, or -1. */
int looper_recording_voice(const looper *l, int n);
/* Whether any loop records, waits, plays or overdubs (neither empty nor
 * stopped): what moves on by itself each latent frame. */
int looper_any_running(const looper *l);
/* Records loop n's point of this frame: the source voice's cursor (dim
 * axes) and, in latent mode, its latents (latent NULL: none). */
void looper_capture(looper *l, int n, const float *cursor, int dim, const float *latent, int latent_dim);

/* The playing take of loop n, or NULL. */
const loop_take *looper_take(const looper *l, int n);
/* Whether undo / redo would do something. */
int looper_can_undo(const looper *l, int n);
int looper_can_redo(const looper *l, int n);

/* What the control side sees of a loop (the engine publishes it). */
typedef struct loop_info {
	loop_state state;
	double position, length; /* seconds */
	double start_beat;       /* the beat its take's recording started on */
	int frames, can_undo, can_redo;
	uint64_t full_count;
	loop_settings settings; /* as the last /loop/N/set (or a session) left them */
} loop_info;
void looper_info(const looper *l, int n, loop_info *info);

/* A copy of a loop's playing take, for saving (its coordinates; latents
 * are not copied). */
typedef struct loop_export {
	int frames, dim;
	double length;
	float time[LOOPER_MAX_FRAMES];
	float coord[LOOPER_MAX_FRAMES][LOOPER_DIM];
} loop_export;
/* Fills x with loop n's take (frames 0 when it has none). */
void looper_export(const looper *l, int n, loop_export *x);

#endif
