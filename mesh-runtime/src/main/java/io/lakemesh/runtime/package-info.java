package io.lakemesh.runtime;
