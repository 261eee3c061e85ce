# Post 004's gradient-picture listing ("Visualizing Backpropagation"), the
# project's copy of it for tests/test_own_programs.py: the post's code as its
# page shows it (the page lost the indentation; it is restored here).  Its
# pictures go to plt.show(); it prints the final predictions, after
# model.predict(X)'s progress bar (Keras 2).
import tensorflow as tf
import numpy as np
import matplotlib.pyplot as plt

# Create a simple model
model = tf.keras.Sequential([
    tf.keras.layers.Dense(3, input_shape=(2,), activation='relu', name='hidden'),
    tf.keras.layers.Dense(1, activation='sigmoid', name='output')
])

# Compile model
model.compile(optimizer=tf.keras.optimizers.Adam(0.1), loss='binary_crossentropy')

# Create dataset
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
y = np.array([[0.0], [1.0], [1.0], [0.0]], dtype=np.float32)

# Function to get gradients
def get_gradients(X, y):
    with tf.GradientTape() as tape:
        predictions = model(X)
        loss = tf.keras.losses.binary_crossentropy(y, predictions)

    return tape.gradient(loss, model.trainable_variables)

# Function to display gradients
def display_gradients(gradients, epoch):
    plt.figure(figsize=(15, 6))

    # Gradients for hidden layer weights
    plt.subplot(1, 2, 1)
    plt.imshow(gradients[0].numpy(), cmap='coolwarm')
    plt.colorbar()
    plt.title(f'Hidden Layer Weights Gradients (Epoch {epoch})')

    # Gradients for output layer weights
    plt.subplot(1, 2, 2)
    plt.imshow(gradients[2].numpy().reshape(-1, 1), cmap='coolwarm')
    plt.colorbar()
    plt.title(f'Output Layer Weights Gradients (Epoch {epoch})')

    plt.tight_layout()
    plt.show()

# Train and visualize at different epochs
epochs_to_visualize = [0, 10, 50, 200]

for epoch in range(max(epochs_to_visualize) + 1):
    if epoch in epochs_to_visualize:
        gradients = get_gradients(X, y)
        display_gradients(gradients, epoch)

    # Train for one epoch
    model.fit(X, y, epochs=1, verbose=0)

# Final predictions
predictions = model.predict(X)
print("\nFinal predictions:")
for i in range(len(X)):
    print(f"Input: {X[i]}, Target: {y[i][0]}, Prediction: {predictions[i][0]:.4f}")
