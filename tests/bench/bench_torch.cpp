/*
 * bench_torch.cpp — the libtorch baselines of `make bench` that need the C++
 * frontend (torch::nn, torch::optim), kept out of terraind itself.
 */
#include "bench_torch.h"

#include <ATen/Version.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace
{

/* nn_terrain's CPPN, as its Python source writes it. */
struct cppn : torch::nn::Module {
	torch::Tensor b_t;
	torch::nn::Linear fc_in{nullptr}, fc2{nullptr}, fc3{nullptr}, fc4{nullptr}, fc_out{nullptr};
	torch::nn::PReLU prelu1{nullptr}, prelu2{nullptr}, prelu3{nullptr}, prelu4{nullptr};

	cppn(int in_dim, int out_dim, int channels, int features, double gauss_scale)
	{
		b_t = register_buffer("B_T", torch::randn({in_dim, features}) * gauss_scale);
		fc_in = register_module("fc_in_gau", torch::nn::Linear(2 * features, channels));
		fc2 = register_module("fc2", torch::nn::Linear(channels, channels));
		fc3 = register_module("fc3", torch::nn::Linear(channels, channels));
		fc4 = register_module("fc4", torch::nn::Linear(channels, channels));
		fc_out = register_module("fc_out", torch::nn::Linear(channels, out_dim));
		prelu1 = register_module("prelu1", torch::nn::PReLU());
		prelu2 = register_module("prelu2", torch::nn::PReLU());
		prelu3 = register_module("prelu3", torch::nn::PReLU());
		prelu4 = register_module("prelu4", torch::nn::PReLU());
	}

	torch::Tensor forward(const torch::Tensor &x)
	{
		torch::Tensor proj = torch::matmul(x * (2 * M_PI), b_t);
		torch::Tensor h = torch::cat({torch::sin(proj), torch::cos(proj)}, -1);
		h = prelu1(fc_in(h));
		h = prelu2(fc2(h));
		h = prelu3(fc3(h));
		h = prelu4(fc4(h));
		return fc_out(h);
	}
};

} // namespace

extern "C" int bench_torch_train(const float *coords, const float *targets, int64_t count, int in_dim, int out_dim,
                                 int epochs, int batch, int channels, int features, double gauss_scale, double lr,
                                 uint64_t seed, double *loss, char *err, size_t errlen)
{
	try {
		torch::manual_seed(seed);
		torch::Tensor x = torch::from_blob(const_cast<float *>(coords), {count, in_dim}, torch::kFloat).clone();
		torch::Tensor y =
		    torch::from_blob(const_cast<float *>(targets), {count, out_dim}, torch::kFloat).clone();
		cppn net(in_dim, out_dim, channels, features, gauss_scale);
		torch::optim::Adam opt(net.parameters(), torch::optim::AdamOptions(lr));
		double sum = 0;
		for (int epoch = 0; epoch < epochs; epoch++) {
			torch::Tensor order = torch::randperm(count, torch::kLong);
			sum = 0;
			for (int64_t start = 0; start < count; start += batch) {
				torch::Tensor idx = order.slice(0, start, std::min(count, start + batch));
				opt.zero_grad();
				torch::Tensor l =
				    torch::mse_loss(net.forward(x.index_select(0, idx)), y.index_select(0, idx));
				l.backward();
				opt.step();
				sum += l.item<double>() * (double)idx.size(0);
			}
		}
		*loss = sum / (double)count;
		return 0;
	} catch (const std::exception &e) {
		snprintf(err, errlen, "libtorch training failed: %s", e.what());
		return -1;
	}
}

extern "C" const char *bench_torch_cpu_capability(void)
{
	static std::string capability;
	if (capability.empty()) {
		/* ATen's get_cpu_capability() is not exported in every build; its
		 * configuration report says the same ("CPU capability usage: AVX2"). */
		std::string config = at::show_config();
		const std::string key = "CPU capability usage: ";
		size_t at = config.find(key);
		capability = at == std::string::npos
		                 ? "unknown"
		                 : config.substr(at + key.size(), config.find('\n', at) - at - key.size());
	}
	return capability.c_str();
}
