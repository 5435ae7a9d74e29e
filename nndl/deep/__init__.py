"""Exercise 3: backprop of any depth (δ recursion), and the vanishing gradient."""
