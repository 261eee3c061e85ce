# Post 004's third listing ("Understanding GradientTape"), the project's copy
# of it for tests/test_own_programs.py: the post's code as its page shows it
# (the page lost the indentation; it is restored here).
import tensorflow as tf

# Create a model
model = tf.keras.Sequential([
    tf.keras.layers.Dense(4, input_shape=(2,), activation='relu'),
    tf.keras.layers.Dense(1, activation='sigmoid')
])

# Create an optimizer
optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)

# Define the loss function
def loss_function(y_true, y_pred):
    return tf.keras.losses.binary_crossentropy(y_true, y_pred)

# Training step function
@tf.function # For improved performance
def train_step(X, y):
    with tf.GradientTape() as tape:
        # Forward pass
        predictions = model(X)
        # Calculate loss
        loss = loss_function(y, predictions)

    # Calculate gradients
    gradients = tape.gradient(loss, model.trainable_variables)

    # Apply gradients
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))

    return loss

# Create a simple dataset (XOR)
X = tf.constant([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=tf.float32)
y = tf.constant([[0.0], [1.0], [1.0], [0.0]], dtype=tf.float32)

# Training loop
epochs = 200
for epoch in range(epochs):
    loss = train_step(X, y)

    if epoch % 50 == 0:
        print(f"Epoch {epoch}: Loss = {loss.numpy()}")

# Test the model
predictions = model(X)
print("\nFinal predictions:")
for i in range(len(X)):
    print(f"Input: {X[i].numpy()}, Target: {y[i].numpy()[0]}, Prediction: {predictions[i].numpy()[0]:.4f}")
