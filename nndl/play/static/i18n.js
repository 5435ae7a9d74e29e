// The page's own words, in both languages. Numbers and formulas never live here: they come
// from nndl's answers.

export const T = {
  tab_graph: { zh: "计算图", en: "Graph" },
  tab_summary: { zh: "网络形状", en: "Shapes" },
  tab_act: { zh: "激活函数", en: "Activations" },
  tab_solve: { zh: "题解", en: "Solutions" },
  doc_title: { zh: "nndl 演练场", en: "nndl playground" },
  loading: { zh: "计算中", en: "computing" },
  hint: { zh: "提示：", en: "hint: " },
  line_col: { zh: "第 {line} 行，第 {column} 列", en: "line {line}, column {column}" },
  line_only: { zh: "第 {line} 行", en: "line {line}" },
  unknown_view: { zh: "没有这个页面：{name}", en: "there is no page {name}" },
  // graph
  graph_title: { zh: "计算图：前向数值与反向梯度（第 4 题）", en: "Computational graph: values and gradients (exercise 4)" },
  graph_lead: { zh: "输入表达式，拖动变量，数值和梯度随之更新；点击节点查看它的链式法则。",
                en: "Type an expression, drag the variables: values and gradients follow; click a node for its chain-rule step." },
  expression: { zh: "表达式", en: "Expression" },
  variables: { zh: "变量", en: "Variables" },
  output: { zh: "输出", en: "Output" },
  gradients: { zh: "梯度", en: "Gradients" },
  nodes: { zh: "节点", en: "Nodes" },
  node: { zh: "节点", en: "node" },
  formula: { zh: "公式", en: "formula" },
  value: { zh: "数值", en: "value" },
  grad: { zh: "梯度 ∂f/∂·", en: "gradient ∂f/∂·" },
  chain_rule: { zh: "链式法则", en: "Chain rule" },
  click_node: { zh: "点击图中的节点或表中的一行。", en: "Click a node in the drawing or a row of the table." },
  forward_step: { zh: "前向", en: "Forward" },
  backward_steps: { zh: "反向", en: "Backward" },
  input_node: { zh: "输入变量：没有前向计算。", en: "an input: nothing to compute forward." },
  backward_pass: { zh: "逐步反向传播", en: "Backward pass, step by step" },
  prev: { zh: "上一步", en: "previous" },
  next: { zh: "下一步", en: "next" },
  step_of: { zh: "第 {i} / {n} 步", en: "step {i} of {n}" },
  // check
  check_title: { zh: "检查我的答案", en: "Check my answer" },
  check_button: { zh: "检查", en: "Check" },
  check_lead_graph: { zh: "写下你算出的 f 和梯度（可只填一部分）。", en: "Write the f and gradients you computed (any of them)." },
  check_lead_summary: { zh: "选一个量，写下你的答案。", en: "Choose a quantity and write your answer." },
  check_score: { zh: "{correct} / {total} 正确", en: "{correct} of {total} right" },
  check_empty: { zh: "先填一个答案。", en: "Fill in an answer first." },
  your_answer: { zh: "你的答案", en: "your answer" },
  q_params: { zh: "参数个数", en: "parameters" },
  q_output: { zh: "输出形状", en: "output shape" },
  q_neurons: { zh: "神经元个数", en: "neurons" },
  q_total: { zh: "总参数", en: "total parameters" },
  // summary
  summary_title: { zh: "网络形状与参数计算器（第 5、6 题）", en: "Shapes and parameters calculator (exercises 5 and 6)" },
  summary_lead: { zh: "每行一层（或用 ; 分隔）。表格随输入更新；每个数都附有公式。",
                  en: "One layer per line (or separated by ;). The table follows your typing; every number comes with its formula." },
  presets: { zh: "预设", en: "Presets" },
  choose_preset: { zh: "选择一个网络…", en: "choose a network…" },
  spec: { zh: "网络描述", en: "Network spec" },
  floor: { zh: "步长除不尽时向下取整（PyTorch 的规则）", en: "round a non-dividing stride down (PyTorch's rule)" },
  layer: { zh: "层", en: "layer" },
  type: { zh: "类型", en: "type" },
  out_shape: { zh: "输出 W×H×D", en: "output W×H×D" },
  neurons: { zh: "神经元", en: "neurons" },
  params: { zh: "参数", en: "params" },
  mult_adds: { zh: "乘加", en: "mult-adds" },
  total: { zh: "合计", en: "total" },
  input: { zh: "输入", en: "input" },
  show_formulas: { zh: "显示每层的公式", en: "show every layer's formulas" },
  feature_maps: { zh: "特征图（方块按形状缩放）", en: "Feature maps (blocks sized by their shapes)" },
  notes: { zh: "说明", en: "notes" },
  // act
  act_title: { zh: "激活函数：f 与 f′（第 1 题）", en: "Activation functions: f and f′ (exercise 1)" },
  act_lead: { zh: "勾选函数；阴影是饱和区（|f′| 小于最大值的 1%）。", en: "Tick functions; shading marks saturation (|f′| below 1 % of its maximum)." },
  derivative: { zh: "导数", en: "derivative" },
  properties: { zh: "测得的性质", en: "Measured properties" },
  range: { zh: "值域", en: "range" },
  zero_centred: { zh: "以 0 为中心", en: "zero-centred" },
  max_slope: { zh: "最大斜率", en: "max slope" },
  saturation: { zh: "饱和区", en: "saturation" },
  chain_factor: { zh: "每层链式因子上界", en: "chain factor per layer (bound)" },
  chain_depth: { zh: "{n} 层后", en: "after {n} layers" },
  pros: { zh: "优点", en: "pros" },
  cons: { zh: "缺点", en: "cons" },
  yes: { zh: "是", en: "yes" },
  no: { zh: "否", en: "no" },
  none: { zh: "无", en: "none" },
  derivation: { zh: "推导", en: "Derivation" },
  // solve
  solve_title: { zh: "题解：每个数都由 nndl 现场计算", en: "Worked solutions: every number computed by nndl now" },
  solve_lead: { zh: "改变参数得到这道题的变体；与 nndl solve 的答案页相同。",
                en: "Change the parameters for a variant of the exercise; the same as nndl solve's answer key." },
  exercise_n: { zh: "第 {n} 题", en: "Exercise {n}" },
  solve_button: { zh: "求解", en: "Solve" },
  reset: { zh: "恢复原题", en: "the sheet's values" },
  values_field: { zh: "变量取值", en: "values" },
};

export function t(key, lang, values = {}) {
  const entry = T[key];
  if (!entry) return key;
  return entry[lang].replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

/** Text nndl sent in both languages ({zh, en}) or one (a plain string). */
export function pick(text, lang) {
  if (text && typeof text === "object") return text[lang] ?? text.en ?? "";
  return text ?? "";
}
