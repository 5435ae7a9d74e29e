"""The catalogue of named mistakes. A mistake is a switch the solvers run with
(:mod:`nndl.check.layers`, :mod:`nndl.check.graph`, :mod:`nndl.check.derivative`): the
diagnosis of a student's answer, a variant's wrong options and the feedback all come from
here, never from a list of typed-in wrong numbers."""

from __future__ import annotations

from dataclasses import dataclass

from nndl.text import Text


@dataclass(frozen=True)
class Mistake:
    id: str
    name: Text
    explanation: Text  # what the mistake does, said to the student
    step: Text  # the step of the solution it breaks


_OUT = Text("输出尺寸 W2 = (W1 − F + 2P)/S + 1", "the output size W2 = (W1 − F + 2P)/S + 1")
_PARAMS = Text("参数量", "the parameter count")

CATALOGUE: dict[str, Mistake] = {m.id: m for m in (
    Mistake("no_plus_one", Text("漏了 +1", "missing + 1"),
            Text("输出尺寸算成了 (W − F + 2P)/S，少了最后的 +1：第一个窗口本身也是一个输出位置。",
                 "The output size was computed as (W − F + 2P)/S without the + 1: the first "
                 "window position is an output too."), _OUT),
    Mistake("pad_once", Text("填充只加了一次", "padding counted once"),
            Text("用了 P 而不是 2P：填充加在图像的两侧。",
                 "P was used instead of 2P: the padding is added on both sides."), _OUT),
    Mistake("stride_divides_kernel_only", Text("只把 F 除以了 S", "only F divided by S"),
            Text("写成了 (W − F/S + 2P) + 1：应当先算 W − F + 2P，再整体除以 S（原题第 5 题答案的笔误）。",
                 "Written as (W − F/S + 2P) + 1: W − F + 2P must be divided by S as a whole "
                 "(the slip in the sheet's own answer to exercise 5)."), _OUT),
    Mistake("no_bias", Text("漏了偏置", "biases left out"),
            Text("只数了权重：每个神经元（全连接）或每个滤波器（卷积）还有 1 个偏置。",
                 "Only the weights were counted: each neuron (fully connected) or each filter "
                 "(convolution) also has one bias."), _PARAMS),
    Mistake("bias_per_input", Text("偏置按输入数", "one bias per input"),
            Text("偏置按输入（全连接的输入个数或卷积的输入通道数）数了；偏置是每个输出神经元或每个滤波器一个。",
                 "The biases were counted per input (fully connected inputs, or input channels "
                 "of a convolution); there is one per output neuron or per filter."), _PARAMS),
    Mistake("no_input_depth", Text("漏了输入深度 D", "input depth D left out"),
            Text("滤波器是 F×F×D 的立方体，不是 F×F 的平面；全连接层的输入是 W·H·D 个数，不是 W·H 个。",
                 "A filter is an F×F×D block, not an F×F square; a fully connected layer reads "
                 "W·H·D values, not W·H."), _PARAMS),
    Mistake("bias_per_position", Text("偏置按输出位置数", "a bias at every output position"),
            Text("卷积的偏置每个滤波器只有 1 个，在所有位置共享，不是每个输出位置一个。",
                 "A convolution has one bias per filter, shared by all positions, not one per "
                 "output position."), _PARAMS),
    Mistake("pool_params", Text("池化层算了参数", "parameters counted for pooling"),
            Text("池化层只取最大值或平均值，没有可学习的参数。",
                 "A pooling layer takes a max or a mean: it has no learnable parameters."), _PARAMS),
    Mistake("shape_before_pool", Text("用了池化之前的尺寸", "the shape before pooling used"),
            Text("这一层的输入应是前面池化层的输出，而计算里用了池化之前的尺寸。",
                 "This layer's input is the previous pooling layer's output, but the shape "
                 "before the pooling was used."), Text("这一层的输入尺寸", "this layer's input shape")),
    Mistake("neurons_for_params", Text("答成了神经元个数", "neurons given for parameters"),
            Text("问的是参数量，给出的是这一层输出神经元的个数。",
                 "The question asks for parameters; the answer is the layer's number of output "
                 "neurons."), _PARAMS),
    Mistake("params_for_neurons", Text("答成了参数量", "parameters given for neurons"),
            Text("问的是神经元个数（输出尺寸 W2·H2·D2），给出的是参数量。",
                 "The question asks for neurons (the output W2·H2·D2); the answer is the "
                 "parameter count."), Text("神经元个数", "the number of neurons")),
    Mistake("no_local_gradient", Text("漏乘局部导数", "local derivative left out"),
            Text("把上游梯度直接传了下去，没有乘以这个节点的局部导数。",
                 "The upstream gradient was passed on without multiplying by this node's "
                 "local derivative."), Text("链式法则的一步", "a chain-rule step")),
    Mistake("no_accumulation", Text("梯度没有累加", "gradients not summed"),
            Text("这个变量被用了不止一次，它的梯度是所有路径梯度之和，答案只算了其中一条路径。",
                 "This variable is used more than once: its gradient is the sum over all "
                 "paths, and the answer has only one path's."),
            Text("多条路径的梯度相加", "summing the paths' gradients")),
    Mistake("sign", Text("符号错误", "wrong sign"),
            Text("大小对了，符号反了。", "The magnitude is right, the sign is wrong."),
            Text("符号", "the sign")),
    Mistake("derivative_of_wrong_argument", Text("把 f 换成了 x", "x put in place of f(x)"),
            Text("导数用函数值表示的恒等式（如 σ′ = σ(1 − σ)）里，f(x) 被写成了 x。",
                 "In the identity that writes f′ through f (such as σ′ = σ(1 − σ)), x was "
                 "written where f(x) belongs."), Text("用 f 表示 f′", "writing f′ through f")),
    Mistake("missing_square", Text("漏了平方", "the square left out"),
            Text("恒等式里的平方丢了，例如 tanh′ = 1 − tanh²(x) 写成了 1 − tanh(x)。",
                 "The square in the identity was lost, e.g. tanh′ = 1 − tanh²(x) written as "
                 "1 − tanh(x)."), Text("用 f 表示 f′", "writing f′ through f")),
    Mistake("no_theta_prime", Text("漏了 θ′ 因子", "the θ′ factor left out"),
            Text("链式法则经过激活函数时要乘以它的导数 θ′(S)（Sigmoid 为 σ(S)(1 − σ(S))），这里把它漏掉了。",
                 "The chain rule through an activation multiplies by its derivative θ′(S) (for "
                 "the sigmoid σ(S)(1 − σ(S))); here it was left out."),
            Text("链式法则经过激活函数的一步", "the chain-rule step through the activation")),
    Mistake("no_factor_two", Text("漏了平方求导的 2", "the 2 of the square dropped"),
            Text("(σ(s) − 1)² 对 σ 求导得 2(σ(s) − 1)，这里把系数 2 丢了。",
                 "The derivative of (σ(s) − 1)² with respect to σ is 2(σ(s) − 1); the factor 2 "
                 "was dropped."), Text("平方损失的导数", "the squared loss's derivative")),
    Mistake("sigma_for_sigma_prime", Text("把 σ 当成了 σ′", "σ taken for σ′"),
            Text("σ′ 的最大值在 S = 0 处：σ′(0) = σ(0)(1 − σ(0)) = 1/4；1/2 是 σ(0) 本身。",
                 "σ′ is largest at S = 0: σ′(0) = σ(0)(1 − σ(0)) = 1/4; 1/2 is σ(0) itself."),
            Text("θ′ 的最大值", "the largest θ′")),
    Mistake("one_layer_short", Text("少数了一层", "one layer short"),
            Text("只数了隐藏层：输出层的神经元也经过 θ，所以 ∂ℓ/∂w⁽¹⁾ 里每个权重层（包括输出层）都有一个 θ′ 因子。",
                 "Only the hidden layers were counted: the output neurons apply θ too, so "
                 "∂ℓ/∂w⁽¹⁾ carries one θ′ factor per weight layer, the output layer's included."),
            Text("θ′ 因子的个数", "the number of θ′ factors")),
    Mistake("one_layer_over", Text("多数了一层", "one layer too many"),
            Text("把输入层也算了进去：输入 x 不经过 θ，θ′ 因子的个数等于权重层数。",
                 "The input layer was counted too: the input x does not pass through θ, so "
                 "there are as many θ′ factors as weight layers."),
            Text("θ′ 因子的个数", "the number of θ′ factors")),
    Mistake("carried_forward", Text("沿用了前面的错误", "an earlier error carried forward"),
            Text("按你前面的答案计算，这一步是对的：错在前面那一步。",
                 "Computed from your own earlier answer, this step is right: the error is in "
                 "that earlier step."), Text("前面的一步", "an earlier step")),
)}


def get(mistake_id: str) -> Mistake:
    return CATALOGUE[mistake_id]
