package io.lakemesh.contracts;
