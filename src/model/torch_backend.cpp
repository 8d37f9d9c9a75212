/*
 * torch_backend.cpp — the single C++ file of terraind (see torch_backend.h):
 * built as libterraind-torch.so, which exports terraind_torch_api() alone.
 *
 * Every entry point catches every exception and turns it into a one-line
 * message: a TorchScript error must reach the user as a sentence, never as
 * an abort. Inference runs under c10::InferenceMode (no autograd records).
 */
#include "torch_backend.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/csrc/jit/python/update_graph_executor_opt.h>
#include <memory>

#include <torch/script.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

/* One tensor of a module's streaming state: where it lives (the object
 * and slot, read afresh each time: a forward may assign a new tensor to
 * the attribute rather than update it) and the copy saved last. */
struct tb_state_slot {
	c10::intrusive_ptr<c10::ivalue::Object> object;
	size_t slot;
	at::Tensor saved;
	bool per_row; /* a row of its first dimension per batch row (tb_state_mark_rows) */
};

/* The default generator's state (the Mersenne twister and the cached
 * normal samples), copied by value: no allocation. */
struct tb_rng_state {
	at::mt19937 engine;
	c10::optional<float> next_float;
	c10::optional<double> next_double;
};

struct tb_module {
	torch::jit::Module module;
	/* nn_terrain tensors, read once on the first forward (a fair baseline:
	 * a libtorch program would hold its parameters, not look them up). */
	std::vector<at::Tensor> cppn;
	std::vector<tb_state_slot> state; /* filled by tb_state_prepare */
	bool state_prepared = false;
	int saved_rows = -1; /* the rows the last save took (-1: all) */
	tb_rng_state rng;
};

namespace
{

void set_error(char *err, size_t errlen, const std::string &text)
{
	if (!err || errlen == 0)
		return;
	/* libtorch messages carry backtraces and TorchScript source excerpts
	 * after the first line: the first line is the sentence a user needs,
	 * except for errors raised inside TorchScript, whose sentence is the
	 * last line ("builtins.RuntimeError: decoder exploded"). */
	std::string line = text.substr(0, text.find('\n'));
	if (text.find("Traceback of TorchScript") != std::string::npos) {
		size_t end = text.find_last_not_of("\n ");
		size_t start = text.rfind('\n', end);
		line = text.substr(start == std::string::npos ? 0 : start + 1,
		                   end - (start == std::string::npos ? 0 : start + 1) + 1);
		if (line.rfind("builtins.", 0) == 0)
			line = line.substr(9);
	}
	snprintf(err, errlen, "%s", line.c_str());
}

std::string exception_text(const std::exception &e)
{
	if (auto *ce = dynamic_cast<const c10::Error *>(&e))
		return ce->what_without_backtrace();
	return e.what();
}

/* The value of a top-level attribute, or None when absent. */
c10::IValue find_attr(const torch::jit::Module &m, const std::string &name)
{
	if (!m.hasattr(name))
		return c10::IValue();
	return m.attr(name);
}

bool find_named_tensor(const torch::jit::Module &m, const std::string &name, at::Tensor &out)
{
	c10::IValue v = find_attr(m, name);
	if (v.isTensor()) {
		out = v.toTensor();
		return true;
	}
	for (const auto &p : m.named_parameters(true))
		if (p.name == name) {
			out = p.value;
			return true;
		}
	for (const auto &b : m.named_buffers(true))
		if (b.name == name) {
			out = b.value;
			return true;
		}
	return false;
}

void copy_name(char *dst, const std::string &src)
{
	snprintf(dst, TB_NAME_MAX, "%s", src.c_str());
}

int list_from_ivalue(const c10::IValue &v, char (*names)[TB_NAME_MAX], int max)
{
	if (!v.isList())
		return -1;
	int n = 0;
	for (const c10::IValue &item : v.toListRef()) {
		if (!item.isString())
			return -1;
		if (n < max)
			copy_name(names[n], item.toStringRef());
		n++;
	}
	return n < max ? n : max;
}

at::Tensor checked_tensor(tb_module *mod, const std::string &name)
{
	at::Tensor t;
	if (!find_named_tensor(mod->module, name, t))
		throw std::runtime_error("the file has no tensor named '" + name + "'");
	return t.detach().to(at::kFloat).contiguous();
}

/* TorchScript's profiling executor re-optimises a graph on its first
 * calls: for a Music2Latent decoder (a U-Net with attention) the first two
 * calls took 6 s and 15 s, for no gain afterwards (24 ms a call either way;
 * a RAVE-sized decoder 6.7 vs 7.4 ms, the demo model 0.4 ms). Off, the
 * first call is the only slow one. The switch is per thread: set on every
 * thread that runs a model, or the render thread would pay the optimiser's
 * passes live, after a warm-up that ran unoptimised (the underruns seen). */
void no_graph_optimisation()
{
	torch::jit::setGraphExecutorOptimize(false);
}

} // namespace

static int impl_load(const char *path, tb_module **out, char *err, size_t errlen)
{
	*out = nullptr;
	try {
		no_graph_optimisation();
		/* Owned until the load succeeds: a file torch cannot read throws. */
		auto mod = std::make_unique<tb_module>();
		mod->module = torch::jit::load(path, c10::kCPU);
		mod->module.eval();
		*out = mod.release();
		return 0;
	} catch (const std::exception &e) {
		set_error(err, errlen, "cannot load TorchScript: " + exception_text(e));
		return -1;
	}
}

static void impl_free(tb_module *module)
{
	delete module;
}

static int impl_has_method(tb_module *module, const char *name)
{
	try {
		return module->module.find_method(name).has_value() ? 1 : 0;
	} catch (const std::exception &) {
		return 0;
	}
}

static int impl_list_methods(tb_module *module, char (*names)[TB_NAME_MAX], int max, char *err, size_t errlen)
{
	try {
		torch::jit::Module &m = module->module;
		if (m.find_method("get_methods")) {
			int n = list_from_ivalue(m.run_method("get_methods"), names, max);
			if (n < 0)
				throw std::runtime_error("get_methods() did not return a list of strings");
			return n;
		}
		int n = 0;
		for (const auto &method : m.get_methods()) {
			const std::string &name = method.name();
			if (m.hasattr(name + "_params") && n < max)
				copy_name(names[n++], name);
		}
		return n;
	} catch (const std::exception &e) {
		set_error(err, errlen, exception_text(e));
		return -1;
	}
}

static int impl_list_attributes(tb_module *module, char (*names)[TB_NAME_MAX], int max)
{
	try {
		if (!module->module.find_method("get_attributes"))
			return 0;
		int n = list_from_ivalue(module->module.run_method("get_attributes"), names, max);
		return n < 0 ? 0 : n;
	} catch (const std::exception &) {
		return 0;
	}
}

static int impl_get_int(tb_module *module, const char *name, int64_t *value)
{
	try {
		c10::IValue v = find_attr(module->module, name);
		if (v.isInt()) {
			*value = v.toInt();
			return 0;
		}
		/* A rate saved as a Python float (44100.0) is still a whole number. */
		if (v.isDouble() && v.toDouble() == std::floor(v.toDouble()) && std::fabs(v.toDouble()) < 1e15) {
			*value = (int64_t)v.toDouble();
			return 0;
		}
		if (v.isTensor() && v.toTensor().numel() == 1) {
			at::Tensor t = v.toTensor();
			if (at::isFloatingType(t.scalar_type()))
				return -1;
			*value = t.item<int64_t>();
			return 0;
		}
		return -1;
	} catch (const std::exception &) {
		return -1;
	}
}

static int impl_get_int_array(tb_module *module, const char *name, int64_t *values, int max)
{
	try {
		c10::IValue v = find_attr(module->module, name);
		if (!v.isTensor())
			return -1;
		at::Tensor t = v.toTensor().to(at::kLong).contiguous().view(-1);
		int n = (int)t.numel();
		const int64_t *data = t.data_ptr<int64_t>();
		for (int i = 0; i < n && i < max; i++)
			values[i] = data[i];
		return n;
	} catch (const std::exception &) {
		return -1;
	}
}

static int impl_get_string_list(tb_module *module, const char *name, char (*values)[TB_NAME_MAX], int max)
{
	try {
		return list_from_ivalue(find_attr(module->module, name), values, max);
	} catch (const std::exception &) {
		return -1;
	}
}

static int64_t impl_get_tensor(tb_module *module, const char *name, float *data, int64_t capacity, int64_t *shape,
                               int *ndim, char *err, size_t errlen)
{
	try {
		at::Tensor t = checked_tensor(module, name);
		if (t.dim() > TB_MAX_DIMS)
			throw std::runtime_error("tensor '" + std::string(name) + "' has too many dimensions");
		*ndim = (int)t.dim();
		for (int i = 0; i < *ndim; i++)
			shape[i] = t.size(i);
		int64_t n = t.numel();
		if (data)
			memcpy(data, t.data_ptr<float>(), sizeof(float) * (size_t)std::min(n, capacity));
		return n;
	} catch (const std::exception &e) {
		set_error(err, errlen, exception_text(e));
		return -1;
	}
}

static std::string shape_text(const at::Tensor &t)
{
	std::string s = "(";
	for (int64_t i = 0; i < t.dim(); i++)
		s += (i ? ", " : "") + std::to_string(t.size(i));
	return s + ")";
}

static int impl_call(tb_module *module, const char *method, const float *in, tb_shape in_shape, float *out,
                     tb_shape out_shape, char *err, size_t errlen)
{
	try {
		c10::InferenceMode guard;
		no_graph_optimisation();
		auto m = module->module.find_method(method);
		if (!m)
			throw std::runtime_error(std::string("the model has no method '") + method + "'");
		at::Tensor x = torch::from_blob(const_cast<float *>(in),
		                                {in_shape.batch, in_shape.channels, in_shape.time}, at::kFloat);
		c10::IValue result = (*m)({x});
		if (!result.isTensor())
			throw std::runtime_error(std::string(method) + " did not return a tensor");
		at::Tensor y = result.toTensor();
		if (y.dim() != 3 || y.size(0) != out_shape.batch || y.size(1) != out_shape.channels ||
		    y.size(2) != out_shape.time)
			throw std::runtime_error(std::string(method) + " returned shape " + shape_text(y) +
			                         ", expected (" + std::to_string(out_shape.batch) + ", " +
			                         std::to_string(out_shape.channels) + ", " +
			                         std::to_string(out_shape.time) + ") from its _params");
		y = y.to(at::kFloat).contiguous();
		memcpy(out, y.data_ptr<float>(), sizeof(float) * (size_t)y.numel());
		return 0;
	} catch (const std::exception &e) {
		set_error(err, errlen, std::string(method) + " failed: " + exception_text(e));
		return -1;
	}
}

/* cppn: [two_pi, B_T, fc_in.weight, fc_in.bias, prelu1, fc2.w, fc2.b, prelu2, ..., fc_out.w, fc_out.b];
 * B_T and two_pi are undefined tensors when the network has no Fourier layer. */
static void load_cppn(tb_module *module)
{
	at::Tensor b_t;
	bool fourier = find_named_tensor(module->module, "B_T", b_t);
	std::vector<at::Tensor> &c = module->cppn;
	std::string in = fourier ? "fc_in_gau" : "fc_in_linear";
	c.push_back(fourier ? checked_tensor(module, "two_pi") : at::Tensor());
	c.push_back(fourier ? checked_tensor(module, "B_T") : at::Tensor());
	c.push_back(checked_tensor(module, in + ".weight"));
	c.push_back(checked_tensor(module, in + ".bias"));
	c.push_back(checked_tensor(module, "prelu1.weight"));
	for (int i = 2; i <= 4; i++) {
		std::string fc = "fc" + std::to_string(i);
		c.push_back(checked_tensor(module, fc + ".weight"));
		c.push_back(checked_tensor(module, fc + ".bias"));
		c.push_back(checked_tensor(module, "prelu" + std::to_string(i) + ".weight"));
	}
	c.push_back(checked_tensor(module, "fc_out.weight"));
	c.push_back(checked_tensor(module, "fc_out.bias"));
}

static int impl_nn_terrain_forward(tb_module *module, const float *coords, int64_t count, int64_t in_dim, float *out,
                                   int64_t out_dim, char *err, size_t errlen)
{
	try {
		c10::InferenceMode guard;
		if (module->cppn.empty())
			load_cppn(module);
		const std::vector<at::Tensor> &c = module->cppn;
		at::Tensor x = torch::from_blob(const_cast<float *>(coords), {count, in_dim}, at::kFloat);
		at::Tensor h = x;
		if (c[1].defined()) {
			at::Tensor proj = at::matmul(c[0] * x, c[1]);
			h = at::cat({at::sin(proj), at::cos(proj)}, -1);
		}
		h = at::prelu(at::linear(h, c[2], c[3]), c[4]);
		for (size_t i = 5; i + 2 < c.size() - 2; i += 3)
			h = at::prelu(at::linear(h, c[i], c[i + 1]), c[i + 2]);
		at::Tensor y = at::linear(h, c[c.size() - 2], c[c.size() - 1]).contiguous();
		if (y.size(1) != out_dim)
			throw std::runtime_error("fc_out has " + std::to_string(y.size(1)) + " outputs, expected " +
			                         std::to_string(out_dim));
		memcpy(out, y.data_ptr<float>(), sizeof(float) * (size_t)y.numel());
		return 0;
	} catch (const std::exception &e) {
		module->cppn.clear();
		set_error(err, errlen, "nn_terrain forward failed: " + exception_text(e));
		return -1;
	}
}

namespace
{

/* A Linear layer initialised as torch.nn.Linear does (uniform ±1/sqrt(in)). */
struct linear_params {
	at::Tensor w, b;
};

linear_params make_linear(int64_t in, int64_t out)
{
	double bound = 1.0 / std::sqrt((double)in);
	return {(at::rand({out, in}) * 2 - 1).mul_(bound).requires_grad_(),
	        (at::rand({out}) * 2 - 1).mul_(bound).requires_grad_()};
}

struct cppn_params {
	at::Tensor fourier; /* (in, F), not trained, as nn_terrain's B_T buffer */
	std::vector<linear_params> layers;
	std::vector<at::Tensor> prelu;

	std::vector<at::Tensor> trainable() const
	{
		std::vector<at::Tensor> all;
		for (const auto &l : layers) {
			all.push_back(l.w);
			all.push_back(l.b);
		}
		all.insert(all.end(), prelu.begin(), prelu.end());
		return all;
	}

	at::Tensor forward(const at::Tensor &x) const
	{
		at::Tensor h = x;
		if (fourier.defined()) {
			at::Tensor proj = at::matmul(x * (2 * M_PI), fourier);
			h = at::cat({at::sin(proj), at::cos(proj)}, -1);
		}
		for (size_t i = 0; i < layers.size(); i++) {
			h = at::linear(h, layers[i].w, layers[i].b);
			if (i < prelu.size())
				h = at::prelu(h, prelu[i]);
		}
		return h;
	}
};

/* Adam (Kingma & Ba), as torch.optim.Adam with its default betas, and
 * written as it is: in place, with one temporary per parameter (the
 * denominator). Each step runs a dozen small tensor operations per parameter
 * where a formula with fresh tensors for every term ran twice as many; at
 * batch 32 their fixed cost is most of a step. */
struct adam {
	std::vector<at::Tensor> m, v;
	int64_t step = 0;
	void update(const std::vector<at::Tensor> &params, double lr)
	{
		const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
		step++;
		const double correction1 = 1 - std::pow(b1, (double)step);
		const double correction2 = std::sqrt(1 - std::pow(b2, (double)step));
		at::NoGradGuard no_grad;
		for (size_t i = 0; i < params.size(); i++) {
			if (m.size() <= i) {
				m.push_back(at::zeros_like(params[i]));
				v.push_back(at::zeros_like(params[i]));
			}
			at::Tensor g = params[i].grad();
			if (!g.defined())
				continue;
			m[i].mul_(b1).add_(g, 1 - b1);
			v[i].mul_(b2).addcmul_(g, g, 1 - b2);
			at::Tensor denominator = v[i].sqrt().div_(correction2).add_(eps);
			params[i].addcdiv_(m[i], denominator, -lr / correction1);
			g.zero_();
		}
	}
};

void copy_out(const at::Tensor &t, float *dst)
{
	at::Tensor c = t.detach().contiguous();
	memcpy(dst, c.data_ptr<float>(), sizeof(float) * (size_t)c.numel());
}

} // namespace

static int impl_train_cppn(const float *coords, const float *targets, int64_t count, int in_dim, int out_dim,
                           const tb_train_options *o, tb_train_progress progress, void *ctx, float *fourier,
                           float *const *weights, float *const *biases, float *prelu, double *final_loss, char *err,
                           size_t errlen)
{
	try {
		torch::manual_seed(o->seed);
		at::Tensor x = torch::from_blob(const_cast<float *>(coords), {count, in_dim}, at::kFloat).clone();
		at::Tensor y = torch::from_blob(const_cast<float *>(targets), {count, out_dim}, at::kFloat).clone();
		cppn_params net;
		int64_t first_in = in_dim;
		if (o->gauss_scale > 0) {
			net.fourier = at::randn({in_dim, o->features}) * o->gauss_scale;
			first_in = 2 * o->features;
		}
		net.layers.push_back(make_linear(first_in, o->channels));
		for (int i = 0; i < 3; i++)
			net.layers.push_back(make_linear(o->channels, o->channels));
		net.layers.push_back(make_linear(o->channels, out_dim));
		for (int i = 0; i < 4; i++)
			net.prelu.push_back(at::full({1}, 0.25).requires_grad_());
		std::vector<at::Tensor> params = net.trainable();
		adam opt;
		double loss_value = 0;
		for (int epoch = 1; epoch <= o->epochs; epoch++) {
			at::Tensor order = at::randperm(count, at::kLong);
			double sum = 0;
			for (int64_t start = 0; start < count; start += o->batch) {
				at::Tensor idx = order.slice(0, start, std::min(count, start + o->batch));
				at::Tensor loss =
				    at::mse_loss(net.forward(x.index_select(0, idx)), y.index_select(0, idx));
				loss.backward();
				opt.update(params, o->lr);
				sum += loss.item<double>() * (double)idx.size(0);
			}
			loss_value = sum / (double)count;
			if (progress && progress(ctx, epoch, o->epochs, loss_value))
				break;
		}
		{
			at::NoGradGuard no_grad;
			*final_loss = at::mse_loss(net.forward(x), y).item<double>();
		}
		if (net.fourier.defined())
			copy_out(net.fourier, fourier);
		for (size_t i = 0; i < net.layers.size(); i++) {
			copy_out(net.layers[i].w, weights[i]);
			copy_out(net.layers[i].b, biases[i]);
		}
		for (int i = 0; i < 4; i++)
			prelu[i] = net.prelu[i].item<float>();
		return 0;
	} catch (const std::exception &e) {
		set_error(err, errlen, "training failed: " + exception_text(e));
		return -1;
	}
}

namespace
{

/* Every non-parameter tensor slot of `object` and of its submodules. */
void collect_state(const c10::intrusive_ptr<c10::ivalue::Object> &object, std::vector<tb_state_slot> &out)
{
	const auto type = object->type();
	for (size_t i = 0; i < type->numAttributes(); i++) {
		if (type->is_parameter(i))
			continue;
		const c10::IValue &v = object->getSlot(i);
		if (v.isTensor())
			out.push_back({object, i, v.toTensor().detach().clone(), false});
		else if (v.isObject() && v.toObjectRef().type()->is_module())
			collect_state(v.toObject(), out);
	}
}

/* Copies `from` into `to` in place when they agree in shape and type;
 * else `to` becomes a copy (a state tensor that changed shape: rare). */
void copy_tensor(at::Tensor &to, const at::Tensor &from)
{
	if (to.sizes().equals(from.sizes()) && to.scalar_type() == from.scalar_type())
		to.copy_(from);
	else
		to = from.clone();
}

} // namespace

static int impl_state_prepare(tb_module *module, char *err, size_t errlen)
{
	try {
		c10::InferenceMode guard;
		module->state.clear();
		collect_state(module->module._ivalue(), module->state);
		module->state_prepared = true;
		return 0;
	} catch (const std::exception &e) {
		module->state.clear();
		set_error(err, errlen, "cannot snapshot the model's state: " + exception_text(e));
		return -1;
	}
}

namespace
{

/* Whether `t` and the saved copy agree in shape and type. */
bool same_layout(const at::Tensor &t, const at::Tensor &saved)
{
	return t.sizes().equals(saved.sizes()) && t.scalar_type() == saved.scalar_type();
}

/* How many of slot s's rows a save of `rows` rows takes (-1: all of it). */
int64_t rows_taken(const tb_state_slot &s, const at::Tensor &t, int rows)
{
	return s.per_row && rows >= 0 && rows < t.size(0) && same_layout(t, s.saved) ? rows : -1;
}

/* The module's state tensors and the generator's state into the saved
 * copies (saving) or back from them: of the tensors kept per row, only
 * the rows the save took. */
int transfer_state(tb_module *module, bool saving, int rows, char *err, size_t errlen)
{
	try {
		if (!module->state_prepared)
			throw std::runtime_error("no snapshot prepared");
		c10::InferenceMode guard;
		if (saving)
			module->saved_rows = rows;
		for (tb_state_slot &s : module->state) {
			const c10::IValue &v = s.object->getSlot(s.slot);
			if (saving && !v.isTensor())
				throw std::runtime_error("a state tensor was replaced by a non-tensor value");
			const int64_t taken = v.isTensor() ? rows_taken(s, v.toTensor(), module->saved_rows) : -1;
			if (taken >= 0 && saving)
				s.saved.narrow(0, 0, taken).copy_(v.toTensor().narrow(0, 0, taken));
			else if (taken >= 0)
				v.toTensor().narrow(0, 0, taken).copy_(s.saved.narrow(0, 0, taken));
			else if (saving)
				copy_tensor(s.saved, v.toTensor());
			else if (v.isTensor() && same_layout(v.toTensor(), s.saved))
				v.toTensor().copy_(s.saved);
			else
				s.object->setSlot(s.slot, s.saved.clone());
		}
		at::Generator g = at::detail::getDefaultCPUGenerator();
		std::lock_guard<std::mutex> lock(g.mutex());
		at::CPUGeneratorImpl *rng = g.get<at::CPUGeneratorImpl>();
		if (saving) {
			module->rng = {rng->engine(), rng->next_float_normal_sample(),
			               rng->next_double_normal_sample()};
		} else {
			rng->set_engine(module->rng.engine);
			rng->set_next_float_normal_sample(module->rng.next_float);
			rng->set_next_double_normal_sample(module->rng.next_double);
		}
		return 0;
	} catch (const std::exception &e) {
		set_error(err, errlen,
		          std::string(saving ? "cannot save" : "cannot restore") +
		              " the model's state: " + exception_text(e));
		return -1;
	}
}

} // namespace

static int impl_state_save(tb_module *module, int rows, char *err, size_t errlen)
{
	return transfer_state(module, true, rows, err, errlen);
}

static int impl_state_restore(tb_module *module, char *err, size_t errlen)
{
	return transfer_state(module, false, module->saved_rows, err, errlen);
}

static int64_t impl_state_bytes(const tb_module *module, int rows)
{
	int64_t bytes = 0;
	for (const tb_state_slot &s : module->state) {
		const int64_t taken = rows_taken(s, s.saved, rows);
		bytes += taken >= 0 ? (int64_t)s.saved.nbytes() / s.saved.size(0) * taken : (int64_t)s.saved.nbytes();
	}
	return bytes;
}

/* Marks per row the slots whose rows from `rows` on are as the whole save
 * left them (tb_state_mark_rows). */
static int impl_state_mark_rows(tb_module *module, int rows, char *err, size_t errlen)
{
	try {
		if (!module->state_prepared || module->saved_rows >= 0)
			throw std::runtime_error("no whole snapshot to compare with");
		c10::InferenceMode guard;
		for (tb_state_slot &s : module->state) {
			const c10::IValue &v = s.object->getSlot(s.slot);
			if (!v.isTensor())
				throw std::runtime_error("a state tensor was replaced by a non-tensor value");
			const at::Tensor &t = v.toTensor();
			s.per_row =
			    t.dim() >= 1 && t.size(0) > rows && same_layout(t, s.saved) &&
			    t.narrow(0, rows, t.size(0) - rows).equal(s.saved.narrow(0, rows, t.size(0) - rows));
		}
		return 0;
	} catch (const std::exception &e) {
		set_error(err, errlen, "cannot tell the model's state rows apart: " + exception_text(e));
		return -1;
	}
}

static void impl_set_threads(int threads)
{
	if (threads < 1)
		threads = 1;
	at::set_num_threads(threads);
	try {
		/* Only settable before the first inter-op use; later calls throw. */
		at::set_num_interop_threads(1);
	} catch (const std::exception &) {
	}
}

static int impl_get_threads(void)
{
	return at::get_num_threads();
}

static void impl_manual_seed(uint64_t seed)
{
	torch::manual_seed(seed);
}

/* The reference for impl_blas_check: plain loops in double precision. */
static double max_relative_error(const at::Tensor &got, const std::vector<double> &want)
{
	auto g = got.contiguous();
	const float *p = g.data_ptr<float>();
	double scale = 1e-12, worst = 0;
	for (double w : want)
		scale = std::max(scale, std::fabs(w));
	for (size_t i = 0; i < want.size(); i++)
		worst = std::max(worst, std::fabs((double)p[i] - want[i]) / scale);
	return worst;
}

static int impl_blas_check(char *err, size_t errlen)
{
	try {
		c10::InferenceMode guard;
		at::Generator gen = at::detail::createCPUGenerator(12345);
		const int64_t n = 96, channels = 16, width = 200, taps = 5;
		at::Tensor a = at::randn({n, n}, gen), b = at::randn({n, n}, gen);
		std::vector<double> product(n * n, 0.0);
		const float *pa = a.data_ptr<float>(), *pb = b.data_ptr<float>();
		for (int64_t i = 0; i < n; i++)
			for (int64_t k = 0; k < n; k++)
				for (int64_t j = 0; j < n; j++)
					product[i * n + j] += (double)pa[i * n + k] * pb[k * n + j];
		double matmul = max_relative_error(at::matmul(a, b), product);
		at::Tensor x = at::randn({2, channels, width}, gen), w = at::randn({channels, channels, taps}, gen);
		const int64_t out_width = width - taps + 1;
		std::vector<double> conv(2 * channels * out_width, 0.0);
		const float *px = x.data_ptr<float>(), *pw = w.data_ptr<float>();
		for (int64_t bt = 0; bt < 2; bt++)
			for (int64_t o = 0; o < channels; o++)
				for (int64_t t = 0; t < out_width; t++) {
					double sum = 0;
					for (int64_t c = 0; c < channels; c++)
						for (int64_t k = 0; k < taps; k++)
							sum += (double)px[(bt * channels + c) * width + t + k] *
							       pw[(o * channels + c) * taps + k];
					conv[(bt * channels + o) * out_width + t] = sum;
				}
		double convolution = max_relative_error(at::conv1d(x, w), conv);
		if (matmul < 5e-5 && convolution < 5e-5 && std::isfinite(matmul) && std::isfinite(convolution))
			return 0;
		std::snprintf(err, errlen, "a matrix product is off by %.2g and a convolution by %.2g of their scale",
		              matmul, convolution);
		return -1;
	} catch (const std::exception &e) {
		std::snprintf(err, errlen, "the BLAS check failed: %s", e.what());
		return -1;
	}
}

extern "C" __attribute__((visibility("default"))) const tb_api *terraind_torch_api(void)
{
	static const tb_api api = {
	    TB_API_VERSION,
	    impl_load,
	    impl_free,
	    impl_list_methods,
	    impl_list_attributes,
	    impl_has_method,
	    impl_get_int,
	    impl_get_int_array,
	    impl_get_string_list,
	    impl_get_tensor,
	    impl_call,
	    impl_nn_terrain_forward,
	    impl_train_cppn,
	    impl_state_prepare,
	    impl_state_save,
	    impl_state_restore,
	    impl_state_bytes,
	    impl_set_threads,
	    impl_get_threads,
	    impl_manual_seed,
	    impl_blas_check,
	    impl_state_mark_rows,
	};
	return &api;
}
