package io.lakemesh.bench;
