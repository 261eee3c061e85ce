# Post 004's MNIST listing ("Real-world Application: Custom Training Loop
# for Image Classification"), the project's copy of it for
# tests/test_own_programs.py: the post's code as its page shows it (the page
# lost the indentation; it is restored here).
import tensorflow as tf
import matplotlib.pyplot as plt

# Load and prepare MNIST dataset
mnist = tf.keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()

# Normalize data
x_train, x_test = x_train / 255.0, x_test / 255.0

# Add channel dimension
x_train = x_train[..., tf.newaxis]
x_test = x_test[..., tf.newaxis]

# Create train dataset
train_ds = tf.data.Dataset.from_tensor_slices(
    (x_train, y_train)).shuffle(10000).batch(32)

# Create test dataset
test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(32)

# Create a simple CNN model
model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(32, 3, activation='relu'),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation='relu'),
    tf.keras.layers.Dense(10, activation='softmax')
])

# Define loss function
loss_object = tf.keras.losses.SparseCategoricalCrossentropy()

# Define optimizer
optimizer = tf.keras.optimizers.Adam()

# Define metrics
train_loss = tf.keras.metrics.Mean(name='train_loss')
train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='train_accuracy')

test_loss = tf.keras.metrics.Mean(name='test_loss')
test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name='test_accuracy')

# Define training step with explicit backpropagation
@tf.function
def train_step(images, labels):
    with tf.GradientTape() as tape:
        # Forward pass
        predictions = model(images, training=True)
        # Calculate loss
        loss = loss_object(labels, predictions)

    # Calculate gradients (backpropagation)
    gradients = tape.gradient(loss, model.trainable_variables)

    # Apply gradients (update weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))

    # Update metrics
    train_loss(loss)
    train_accuracy(labels, predictions)

# Define test step
@tf.function
def test_step(images, labels):
    # Forward pass
    predictions = model(images, training=False)
    # Calculate loss
    t_loss = loss_object(labels, predictions)

    # Update metrics
    test_loss(t_loss)
    test_accuracy(labels, predictions)

# Training loop
EPOCHS = 5
history = {
    'train_loss': [], 'train_accuracy': [],
    'test_loss': [], 'test_accuracy': []
}

for epoch in range(EPOCHS):
    # Reset the metrics
    train_loss.reset_states()
    train_accuracy.reset_states()
    test_loss.reset_states()
    test_accuracy.reset_states()

    # Training loop
    for images, labels in train_ds:
        train_step(images, labels)

    # Test loop
    for test_images, test_labels in test_ds:
        test_step(test_images, test_labels)

    # Store metrics
    history['train_loss'].append(train_loss.result().numpy())
    history['train_accuracy'].append(train_accuracy.result().numpy())
    history['test_loss'].append(test_loss.result().numpy())
    history['test_accuracy'].append(test_accuracy.result().numpy())

    # Print metrics
    template = 'Epoch {}, Loss: {:.4f}, Accuracy: {:.4f}, Test Loss: {:.4f}, Test Accuracy: {:.4f}'
    print(template.format(epoch + 1,
                          train_loss.result(),
                          train_accuracy.result() * 100,
                          test_loss.result(),
                          test_accuracy.result() * 100))

# Plot training history
plt.figure(figsize=(12, 4))

plt.subplot(1, 2, 1)
plt.plot(history['train_loss'], label='Train Loss')
plt.plot(history['test_loss'], label='Test Loss')
plt.title('Loss over epochs')
plt.xlabel('Epoch')
plt.ylabel('Loss')
plt.legend()

plt.subplot(1, 2, 2)
plt.plot(history['train_accuracy'], label='Train Accuracy')
plt.plot(history['test_accuracy'], label='Test Accuracy')
plt.title('Accuracy over epochs')
plt.xlabel('Epoch')
plt.ylabel('Accuracy')
plt.legend()

plt.tight_layout()
plt.show()
