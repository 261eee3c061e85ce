# Post 004's gradient-clipping listing ("Example of gradient clipping"), the
# project's reconstruction of a program around it for
# tests/test_own_programs.py.  The post shows only the optimizer and
# train_step_with_clipping, which use the model, the loss function and the
# data of its GradientTape listing; here they come from that listing
# (post004_xor_loop.py), and its training loop calls the clipping step.
import tensorflow as tf

# Create a model
model = tf.keras.Sequential([
    tf.keras.layers.Dense(4, input_shape=(2,), activation='relu'),
    tf.keras.layers.Dense(1, activation='sigmoid')
])

# Define the loss function
def loss_function(y_true, y_pred):
    return tf.keras.losses.binary_crossentropy(y_true, y_pred)

# Example of gradient clipping
optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)

@tf.function
def train_step_with_clipping(X, y):
    with tf.GradientTape() as tape:
        predictions = model(X)
        loss = loss_function(y, predictions)

    # Calculate gradients
    gradients = tape.gradient(loss, model.trainable_variables)

    # Clip gradients to prevent explosion
    clipped_gradients, _ = tf.clip_by_global_norm(gradients, clip_norm=1.0)

    # Apply clipped gradients
    optimizer.apply_gradients(zip(clipped_gradients, model.trainable_variables))

    return loss

# Create a simple dataset (XOR)
X = tf.constant([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=tf.float32)
y = tf.constant([[0.0], [1.0], [1.0], [0.0]], dtype=tf.float32)

# Training loop
epochs = 200
for epoch in range(epochs):
    loss = train_step_with_clipping(X, y)

    if epoch % 50 == 0:
        print(f"Epoch {epoch}: Loss = {loss.numpy()}")
