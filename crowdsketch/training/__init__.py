"""Training the shape classifier: the network, the training loop, ONNX export and the model card."""
