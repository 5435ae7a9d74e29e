"""Exercise 2: the perceptron (PLA) and one sigmoid neuron, and the outlier experiment."""
