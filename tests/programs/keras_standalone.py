# A program written for tests/test_run_original.py in the style of 2017 Keras
# tutorials: standalone Keras 2 (`import keras`), a one-weight model, one SGD
# step with lr=0.5 on loss (w * 1 - 0)^2 from w = 1: the gradient is 2, so w = 0.
import numpy as np
import keras
from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import SGD

model = Sequential()
model.add(Dense(1, input_dim=1, use_bias=False, kernel_initializer='ones'))
model.compile(optimizer=SGD(lr=0.5), loss='mean_squared_error')
model.train_on_batch(np.array([[1.0]]), np.array([[0.0]]))
print("keras", keras.__version__.split(".")[0])
print("w", model.get_weights()[0].tolist())
